package io.modelship.operator.desired;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.RuntimeSpec;
import io.modelship.operator.revision.Revisions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What should exist for a ModelDeployment: pure functions of the resource, the revision and the
 * replica count the strategy chose. The reconciler applies them with server-side apply.
 */
public final class DesiredObjects {
  /** How long a revision's pods may make no progress before it fails (Kubernetes' default). */
  public static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

  public static final int HTTP_PORT = 8080;
  static final String MODEL_DIR = "/models";
  static final String MODEL_FILE = MODEL_DIR + "/model.onnx";
  static final String CARD_DIR = "/etc/modelship/card";
  static final String CARD_KEY = "model.yaml";
  static final String KEYS_DIR = "/etc/modelship/keys";

  /** The user the runtime image runs as. */
  public static final long RUNTIME_UID = 185;

  private DesiredObjects() {}

  /** Metadata of an object owned (and garbage-collected with) {@code owner}, in its namespace. */
  static ObjectMeta meta(HasMetadata owner, String name, Map<String, String> labels) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(owner.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(owner(owner))
        .build();
  }

  static OwnerReference owner(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** The card of a revision, mounted into its pods. */
  public static ConfigMap card(ModelDeployment md, String revision) {
    String name = md.getMetadata().getName();
    return new ConfigMapBuilder()
        .withMetadata(meta(md, Revisions.objectName(md, revision), Labels.of(name, revision)))
        .withData(Map.of(CARD_KEY, ModelCards.yaml(md.getSpec().model)))
        .build();
  }

  /** The Service clients use: all ready serving pods of the ModelDeployment. */
  public static Service service(ModelDeployment md) {
    String name = md.getMetadata().getName();
    return new ServiceBuilder()
        .withMetadata(meta(md, name, Labels.of(name)))
        .withNewSpec()
        .withSelector(Map.of(Labels.NAME, name))
        .addNewPort()
        .withName("http")
        .withPort(HTTP_PORT)
        .withTargetPort(new IntOrString("http"))
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }

  /**
   * The Deployment of one revision, at the replica count the strategy decided; with {@code
   * replicas} null, without one: its HorizontalPodAutoscaler sizes it (see {@link
   * AutoscalerObjects}).
   */
  public static Deployment deployment(
      ModelDeployment md,
      String revision,
      Integer replicas,
      String image,
      long gracePeriodSeconds) {
    String name = md.getMetadata().getName();
    Map<String, String> labels = Labels.of(name, revision);
    ModelSource source = ModelSource.parse(md.getSpec().model.uri);

    List<Volume> volumes = new ArrayList<>();
    volumes.add(new VolumeBuilder().withName("model").withNewEmptyDir().endEmptyDir().build());
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    volumes.add(
        new VolumeBuilder()
            .withName("card")
            .withNewConfigMap()
            .withName(Revisions.objectName(md, revision))
            .endConfigMap()
            .build());
    Volume sourceVolume = sourceVolume(source);
    if (sourceVolume != null) {
      volumes.add(sourceVolume);
    }
    Container fetch = fetchContainer(image, source, md.getSpec().model.sha256);

    List<String> args =
        new ArrayList<>(
            List.of(
                "--model",
                MODEL_FILE,
                "--card",
                CARD_DIR + "/" + CARD_KEY,
                "--port",
                Integer.toString(Transformers.runtimePort(md.getSpec())),
                "--revision",
                revision));
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(mount("model", MODEL_DIR, true));
    mounts.add(mount("card", CARD_DIR, true));
    mounts.add(mount("tmp", "/tmp", false));
    if (md.getSpec().auth != null) {
      var ref = md.getSpec().auth.apiKeySecretRef;
      String key = ref.key == null ? "keys" : ref.key;
      volumes.add(
          new VolumeBuilder()
              .withName("api-keys")
              .withNewSecret()
              .withSecretName(ref.name)
              .endSecret()
              .build());
      mounts.add(mount("api-keys", KEYS_DIR, true));
      args.addAll(List.of("--api-keys-file", KEYS_DIR + "/" + key));
    }
    args.addAll(batchingArgs(md.getSpec().runtime));
    args.addAll(queueArgs(md));
    List<EnvVar> env = new ArrayList<>();
    // Endpoints take a few seconds to drop a terminating pod: keep answering meanwhile.
    env.add(new EnvVar("QUARKUS_SHUTDOWN_DELAY", "5s", null));
    Container runtime =
        new ContainerBuilder()
            .withName("runtime")
            .withImage(image)
            .withArgs(args)
            .withEnv(env)
            .addNewPort()
            .withName(Transformers.runtimePortName(md.getSpec()))
            .withContainerPort(Transformers.runtimePort(md.getSpec()))
            .withProtocol("TCP")
            .endPort()
            .withReadinessProbe(
                probe(readinessPath(md), 1, 3, Transformers.runtimePortName(md.getSpec())))
            .withLivenessProbe(
                probe("/v2/health/live", 10, 3, Transformers.runtimePortName(md.getSpec())))
            .withNewStartupProbe()
            .withHttpGet(get("/v2/health/live", Transformers.runtimePortName(md.getSpec())))
            .withPeriodSeconds(1)
            .withFailureThreshold(120)
            .endStartupProbe()
            .withVolumeMounts(mounts)
            .withSecurityContext(restricted())
            .withResources(resources(md))
            .build();
    List<Container> containers = new ArrayList<>(List.of(runtime));
    Container transformer = Transformers.container(md.getSpec());
    if (transformer != null) {
      containers.add(transformer);
      volumes.add(
          new VolumeBuilder().withName("transformer-tmp").withNewEmptyDir().endEmptyDir().build());
    }

    return new DeploymentBuilder()
        .withMetadata(meta(md, Revisions.objectName(md, revision), labels))
        .withNewSpec()
        .withReplicas(replicas)
        .withRevisionHistoryLimit(0)
        .withProgressDeadlineSeconds(
            md.getSpec().progressDeadlineSeconds == null
                ? DEFAULT_PROGRESS_DEADLINE_SECONDS
                : md.getSpec().progressDeadlineSeconds)
        .withNewSelector()
        .withMatchLabels(
            new java.util.TreeMap<>(Map.of(Labels.NAME, name, Labels.REVISION, revision)))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .withAnnotations(
            Transformers.podAnnotations(md.getSpec()).isEmpty()
                ? null
                : Transformers.podAnnotations(md.getSpec()))
        .endMetadata()
        .withNewSpec()
        .withEnableServiceLinks(false)
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(gracePeriodSeconds)
        .withSecurityContext(podSecurity())
        .withInitContainers(fetch)
        .withContainers(containers)
        .withVolumes(volumes)
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** The volume a ConfigMap or PVC model source is read from; null for https and s3. */
  static Volume sourceVolume(ModelSource source) {
    return switch (source.kind()) {
      case CONFIGMAP ->
          new VolumeBuilder()
              .withName("source")
              .withNewConfigMap()
              .withName(source.name())
              .endConfigMap()
              .build();
      case PVC ->
          new VolumeBuilder()
              .withName("source")
              .withNewPersistentVolumeClaim(source.name(), true)
              .build();
      default -> null;
    };
  }

  /**
   * The init container that copies the model to {@link #MODEL_FILE} (volume "model") and checks its
   * sha256, from the "source" volume or the URL.
   */
  static Container fetchContainer(String image, ModelSource source, String sha256) {
    List<VolumeMount> fetchMounts = new ArrayList<>();
    fetchMounts.add(mount("model", MODEL_DIR, false));
    fetchMounts.add(mount("tmp", "/tmp", false));
    if (sourceVolume(source) != null) {
      fetchMounts.add(mount("source", ModelSource.MOUNT, true));
    }
    List<String> fetchArgs =
        new ArrayList<>(List.of("fetch", "--uri", source.fetchUri(), "--dest", MODEL_FILE));
    if (sha256 != null) {
      fetchArgs.addAll(List.of("--sha256", sha256.toLowerCase()));
    }
    return new ContainerBuilder()
        .withName("fetch")
        .withImage(image)
        .withArgs(fetchArgs)
        .withVolumeMounts(fetchMounts)
        .withSecurityContext(restricted())
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withResources(
            new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("50m"))
                .addToRequests("memory", new Quantity("64Mi"))
                .addToLimits("memory", new Quantity("256Mi"))
                .build())
        .build();
  }

  /**
   * The runtime's batching flags for {@code spec.runtime.batching}; none when it is absent, which
   * leaves batching off (the runtime's default).
   */
  static List<String> batchingArgs(RuntimeSpec runtime) {
    if (runtime == null || runtime.batching == null) {
      return List.of();
    }
    return List.of(
        "--max-batch-size",
        Integer.toString(runtime.batching.maxBatchSize),
        "--max-batch-delay-ms",
        Integer.toString(runtime.batching.maxDelayMs));
  }

  /**
   * The runtime's queue flags for {@code spec.queue}; none when it is absent. The consumer group
   * defaults to one per ModelDeployment, shared by its revisions, so a rollout hands partitions
   * from old pods to new ones instead of reading the topic twice.
   */
  static List<String> queueArgs(ModelDeployment md) {
    var queue = md.getSpec().queue;
    if (queue == null || queue.kafka == null) {
      return List.of();
    }
    var k = queue.kafka;
    String group =
        k.consumerGroup != null
            ? k.consumerGroup
            : "modelship." + md.getMetadata().getNamespace() + "." + md.getMetadata().getName();
    return List.of(
        "--queue",
        "kafka",
        "--kafka-bootstrap",
        k.bootstrapServers,
        "--request-topic",
        k.requestTopic,
        "--reply-topic",
        k.replyTopic,
        "--dead-letter-topic",
        k.deadLetterTopic,
        "--consumer-group",
        group);
  }

  /**
   * A queue worker is ready when its model is and it is in the consumer group ({@code
   * /q/health/ready}); a serving pod when its model is ({@code /v2/health/ready}).
   */
  static String readinessPath(ModelDeployment md) {
    return md.getSpec().queue != null ? "/q/health/ready" : "/v2/health/ready";
  }

  private static ResourceRequirements resources(ModelDeployment md) {
    if (md.getSpec().runtime != null && md.getSpec().runtime.resources != null) {
      return md.getSpec().runtime.resources;
    }
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("256Mi"))
        .addToLimits("memory", new Quantity("1Gi"))
        .build();
  }

  /** Pod Security "restricted", as the runtime image's user. */
  static io.fabric8.kubernetes.api.model.PodSecurityContext podSecurity() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUNTIME_UID)
        .withRunAsGroup(RUNTIME_UID)
        .withFsGroup(RUNTIME_UID)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  static VolumeMount mount(String volume, String path, boolean readOnly) {
    VolumeMount m = new VolumeMount();
    m.setName(volume);
    m.setMountPath(path);
    m.setReadOnly(readOnly);
    return m;
  }

  static HTTPGetAction get(String path) {
    return get(path, "http");
  }

  static HTTPGetAction get(String path, String port) {
    return new HTTPGetActionBuilder().withPath(path).withPort(new IntOrString(port)).build();
  }

  static io.fabric8.kubernetes.api.model.Probe probe(
      String path, int periodSeconds, int failureThreshold) {
    return probe(path, periodSeconds, failureThreshold, "http");
  }

  static io.fabric8.kubernetes.api.model.Probe probe(
      String path, int periodSeconds, int failureThreshold, String port) {
    var p = new io.fabric8.kubernetes.api.model.Probe();
    p.setHttpGet(get(path, port));
    p.setPeriodSeconds(periodSeconds);
    p.setFailureThreshold(failureThreshold);
    p.setTimeoutSeconds(2);
    return p;
  }

  /** Pod Security "restricted": non-root, read-only root, no escalation, no capabilities. */
  static SecurityContext restricted() {
    Capabilities caps = new Capabilities();
    caps.setDrop(List.of("ALL"));
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withReadOnlyRootFilesystem(true)
        .withAllowPrivilegeEscalation(false)
        .withCapabilities(caps)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }
}
