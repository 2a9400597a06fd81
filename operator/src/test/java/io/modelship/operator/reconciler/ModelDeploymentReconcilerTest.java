package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.ModelSpec;
import io.modelship.operator.api.Phase;
import io.modelship.operator.api.StrategySpec;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.desired.Labels;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The operator against fabric8's mock API server in CRUD mode. There are no controllers in the
 * mock, so tests play kubelet: they mark Deployments ready and create the pods a revision would
 * have.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ModelDeploymentReconcilerTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final AtomicInteger NS = new AtomicInteger();

  @Inject KubernetesClient client;

  String ns;

  String newNamespace() {
    ns = "t" + NS.incrementAndGet();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    return ns;
  }

  static byte[] model(String file) throws Exception {
    return Files.readAllBytes(Path.of("../examples/models", file));
  }

  static String sha(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  void modelConfigMap(String name, String key, byte[] bytes) {
    ConfigMap cm =
        new ConfigMapBuilder()
            .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build())
            .withBinaryData(Map.of(key, Base64.getEncoder().encodeToString(bytes)))
            .build();
    ConfigMap existing = client.configMaps().inNamespace(ns).withName(name).get();
    if (existing != null) {
      existing.getBinaryData().putAll(cm.getBinaryData());
      client.resource(existing).update();
    } else {
      client.resource(cm).create();
    }
  }

  ModelDeployment iris(
      StrategyType strategy, int replicas, String uri, String sha256, String version) {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(new ObjectMetaBuilder().withName("iris").withNamespace(ns).build());
    ModelDeploymentSpec spec = new ModelDeploymentSpec();
    spec.model = new ModelSpec();
    spec.model.name = "iris";
    spec.model.uri = uri;
    spec.model.sha256 = sha256;
    spec.model.version = version;
    spec.replicas = replicas;
    spec.strategy = new StrategySpec();
    spec.strategy.type = strategy;
    md.setSpec(spec);
    return md;
  }

  ModelDeployment md() {
    return client.resources(ModelDeployment.class).inNamespace(ns).withName("iris").get();
  }

  List<Deployment> deployments() {
    return client.apps().deployments().inNamespace(ns).list().getItems();
  }

  Deployment revision(String rev) {
    return client.apps().deployments().inNamespace(ns).withName("iris-" + rev).get();
  }

  /** What the Deployment controller and kubelet would report once the pods are ready. */
  void markReady(String rev, int ready) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Deployment d = revision(rev);
      if (d == null) {
        return; // the operator removed it meanwhile
      }
      DeploymentStatus s = new DeploymentStatus();
      s.setReplicas(ready);
      s.setReadyReplicas(ready);
      s.setAvailableReplicas(ready);
      d.setStatus(s);
      try {
        client.apps().deployments().inNamespace(ns).resource(d).updateStatus();
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 && e.getCode() != 404) {
          throw e;
        }
      }
    }
  }

  Pod pod(String rev, String name) {
    return client
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .withLabels(Labels.of("iris", rev))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("runtime")
                .withImage("x")
                .endContainer()
                .endSpec()
                .build())
        .create();
  }

  String awaitPhase(Phase phase) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              ModelDeployment md = md();
              assertThat(md.getStatus()).isNotNull();
              assertThat(md.getStatus().phase).isEqualTo(phase);
            });
    return md().getStatus().stableRevision;
  }

  /** Waits for the first revision's Deployment, plays its pods ready, waits for Healthy. */
  String firstRevisionServes(int replicas) {
    await().atMost(WAIT).until(() -> deployments().size() == 1);
    String rev = deployments().get(0).getMetadata().getLabels().get(Labels.REVISION);
    markReady(rev, replicas);
    awaitPhase(Phase.Healthy);
    return rev;
  }

  String condition(ModelDeployment md, String type) {
    return md.getStatus().conditions.stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getStatus() + "/" + c.getReason())
        .findFirst()
        .orElse(null);
  }

  List<String> events() {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .map(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage())
        .toList();
  }

  @Test
  void recreateRollsOutAModelChangeOldPodsFirst() throws Exception {
    newNamespace();
    byte[] v1 = model("iris.onnx");
    byte[] v2 = model("iris-v2.onnx");
    modelConfigMap("iris-model", "iris.onnx", v1);
    modelConfigMap("iris-model", "iris-v2.onnx", v2);
    client
        .resource(iris(StrategyType.Recreate, 2, "configmap://iris-model/iris.onnx", sha(v1), "1"))
        .create();

    await().atMost(WAIT).until(() -> deployments().size() == 1);
    Deployment first = deployments().get(0);
    String rev1 = first.getMetadata().getLabels().get(Labels.REVISION);
    assertThat(first.getSpec().getReplicas()).isEqualTo(2);
    assertThat(first.getMetadata().getOwnerReferences()).hasSize(1);
    assertThat(client.services().inNamespace(ns).withName("iris").get().getSpec().getSelector())
        .containsEntry(Labels.NAME, "iris");
    assertThat(
            client
                .configMaps()
                .inNamespace(ns)
                .withName("iris-" + rev1)
                .get()
                .getData()
                .get("model.yaml"))
        .contains("name: \"iris\"", "version: \"1\"");
    assertThat(awaitPhase(Phase.Pending)).isNull();

    markReady(rev1, 2);
    assertThat(awaitPhase(Phase.Healthy)).isEqualTo(rev1);
    ModelDeployment healthy = md();
    assertThat(condition(healthy, "Ready")).isEqualTo("True/RolloutComplete");
    assertThat(condition(healthy, "Available")).isEqualTo("True/MinimumReplicasAvailable");
    assertThat(healthy.getStatus().url).isEqualTo("http://iris." + ns + ".svc.cluster.local:8080");
    assertThat(healthy.getStatus().observedGeneration)
        .isEqualTo(healthy.getMetadata().getGeneration());

    // A running pod of the old revision: Recreate must wait for it to stop.
    pod(rev1, "iris-old-pod");
    ModelDeployment change = md();
    change.getSpec().model.uri = "configmap://iris-model/iris-v2.onnx";
    change.getSpec().model.sha256 = sha(v2);
    change.getSpec().model.version = "2";
    client.resource(change).update();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(revision(rev1).getSpec().getReplicas()).isZero();
              assertThat(deployments()).hasSize(2);
            });
    await().atMost(WAIT).until(() -> md().getStatus().candidateRevision != null);
    String rev2 = md().getStatus().candidateRevision;
    assertThat(rev2).isNotEqualTo(rev1);
    assertThat(revision(rev2).getSpec().getReplicas())
        .as("new revision waits for old pods")
        .isZero();
    assertThat(md().getStatus().phase).isEqualTo(Phase.Progressing);

    client.pods().inNamespace(ns).withName("iris-old-pod").delete();
    markReady(rev1, 0);
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(revision(rev2).getSpec().getReplicas()).isEqualTo(2));
    markReady(rev2, 2);
    assertThat(awaitPhase(Phase.Healthy)).isEqualTo(rev2);
    await().atMost(WAIT).untilAsserted(() -> assertThat(revision(rev1)).isNull());
    assertThat(md().getStatus().candidateRevision).isNull();
    assertThat(events()).anyMatch(e -> e.startsWith("Normal Healthy") && e.contains(rev2));
  }

  @Test
  void rollingUpdateKeepsEnoughReadyPodsAndNeverExceedsTheSurge() throws Exception {
    newNamespace();
    byte[] v1 = model("iris.onnx");
    byte[] v2 = model("iris-v2.onnx");
    modelConfigMap("models", "v1", v1);
    modelConfigMap("models", "v2", v2);
    ModelDeployment md = iris(StrategyType.RollingUpdate, 2, "configmap://models/v1", null, "1");
    md.getSpec().strategy.rollingUpdate =
        io.modelship.operator.strategy.StrategiesTest.rolling(1, 0);
    client.resource(md).create();
    String rev1 = firstRevisionServes(2);

    // Replicas alone never start a rollout.
    ModelDeployment scaled = md();
    scaled.getSpec().replicas = 3;
    client.resource(scaled).update();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(revision(rev1).getSpec().getReplicas()).isEqualTo(3));
    assertThat(deployments()).hasSize(1);
    markReady(rev1, 3);
    awaitPhase(Phase.Healthy);

    ModelDeployment change = md();
    change.getSpec().model.uri = "configmap://models/v2";
    client.resource(change).update();

    // Play kubelet: pods become ready (or go away) after the operator sizes each revision, and
    // check at every step what a RollingUpdate promises: at most replicas + maxSurge pods, and
    // never fewer than replicas - maxUnavailable ready.
    int maxPods = 0;
    int minReady = Integer.MAX_VALUE;
    for (int step = 0; step < 200; step++) {
      List<Deployment> ds = deployments();
      int pods = ds.stream().mapToInt(d -> d.getSpec().getReplicas()).sum();
      int ready =
          ds.stream()
              .mapToInt(
                  d ->
                      d.getStatus() == null || d.getStatus().getReadyReplicas() == null
                          ? 0
                          : Math.min(d.getStatus().getReadyReplicas(), d.getSpec().getReplicas()))
              .sum();
      maxPods = Math.max(maxPods, pods);
      minReady = Math.min(minReady, ready);
      ModelDeployment now = md();
      if (now.getStatus().phase == Phase.Healthy
          && ds.size() == 1
          && !now.getStatus().stableRevision.equals(rev1)) {
        break;
      }
      for (Deployment d : ds) {
        int spec = d.getSpec().getReplicas();
        Integer r = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
        if (r == null || r != spec) {
          markReady(d.getMetadata().getLabels().get(Labels.REVISION), spec);
          break; // one change at a time, like pods starting one by one
        }
      }
      Thread.sleep(100);
    }
    assertThat(md().getStatus().phase).isEqualTo(Phase.Healthy);
    assertThat(md().getStatus().stableRevision).isNotEqualTo(rev1);
    assertThat(deployments()).hasSize(1);
    assertThat(maxPods).as("never more than replicas + maxSurge pods").isLessThanOrEqualTo(4);
    assertThat(minReady)
        .as("never fewer than replicas - maxUnavailable ready")
        .isGreaterThanOrEqualTo(3);
  }

  io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler autoscaler(String rev) {
    return client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(ns)
        .withName("iris-" + rev)
        .get();
  }

  @Test
  void theAutoscalerSizesTheStableAndARolloutStartsFromItsScale() throws Exception {
    newNamespace();
    byte[] v1 = model("iris.onnx");
    byte[] v2 = model("iris-v2.onnx");
    modelConfigMap("models", "v1", v1);
    modelConfigMap("models", "v2", v2);
    ModelDeployment md = iris(StrategyType.RollingUpdate, 2, "configmap://models/v1", null, "1");
    md.getSpec().replicas = null;
    md.getSpec().autoscaling = new io.modelship.operator.api.AutoscalingSpec();
    md.getSpec().autoscaling.minReplicas = 2;
    md.getSpec().autoscaling.maxReplicas = 6;
    md.getSpec().autoscaling.targetInflightRequests = 10;
    md.getSpec().strategy.rollingUpdate =
        io.modelship.operator.strategy.StrategiesTest.rolling(1, 0);
    client.resource(md).create();
    String rev1 = firstRevisionServes(2);

    await().atMost(WAIT).until(() -> autoscaler(rev1) != null);
    var hpa = autoscaler(rev1);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("iris-" + rev1);
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(6);
    assertThat(hpa.getSpec().getMetrics().get(0).getPods().getMetric().getName())
        .isEqualTo("modelship_inflight_requests");
    assertThat(hpa.getMetadata().getLabels()).containsEntry(Labels.REVISION, rev1);

    // The autoscaler scales the stable to 5: the operator's next reconciles leave it there.
    client.apps().deployments().inNamespace(ns).withName("iris-" + rev1).scale(5);
    markReady(rev1, 5);
    await().atMost(WAIT).until(() -> Integer.valueOf(5).equals(md().getStatus().replicas));
    Thread.sleep(1000); // the reconciles of that scale are done
    client
        .resources(ModelDeployment.class)
        .inNamespace(ns)
        .withName("iris")
        .edit(
            m -> {
              m.getSpec().autoscaling.maxReplicas = 7; // no rollout, a new autoscaler spec
              return m;
            });
    await()
        .atMost(WAIT)
        .until(() -> Integer.valueOf(7).equals(autoscaler(rev1).getSpec().getMaxReplicas()));
    Thread.sleep(1000);
    assertThat(revision(rev1).getSpec().getReplicas()).isEqualTo(5);
    assertThat(deployments()).hasSize(1);
    assertThat(md().getStatus().phase).isEqualTo(Phase.Healthy);

    ModelDeployment change = md();
    change.getSpec().model.uri = "configmap://models/v2";
    client.resource(change).update();
    boolean stableAutoscalerGone = false;
    Integer remembered = null;
    String rev2 = null;
    for (int step = 0; step < 200; step++) {
      List<Deployment> ds = deployments();
      ModelDeployment now = md();
      if (now.getStatus().rolloutReplicas != null) {
        remembered = now.getStatus().rolloutReplicas;
        stableAutoscalerGone |= autoscaler(rev1) == null;
      }
      if (now.getStatus().phase == Phase.Healthy
          && ds.size() == 1
          && !now.getStatus().stableRevision.equals(rev1)) {
        rev2 = now.getStatus().stableRevision;
        break;
      }
      for (Deployment d : ds) {
        int spec = d.getSpec().getReplicas();
        Integer r = d.getStatus() == null ? null : d.getStatus().getReadyReplicas();
        if (r == null || r != spec) {
          markReady(d.getMetadata().getLabels().get(Labels.REVISION), spec);
          break;
        }
      }
      Thread.sleep(100);
    }
    assertThat(rev2).as("the rollout finished").isNotNull();
    assertThat(remembered).as("status.rolloutReplicas during the rollout").isEqualTo(5);
    assertThat(stableAutoscalerGone)
        .as("the stable's autoscaler went while its pods moved")
        .isTrue();
    assertThat(revision(rev2).getSpec().getReplicas())
        .as("the candidate sized from the stable's 5, not minReplicas 2")
        .isEqualTo(5);
    String serving = rev2;
    await().atMost(WAIT).until(() -> autoscaler(serving) != null);
    assertThat(autoscaler(rev1)).isNull();
    assertThat(md().getStatus().rolloutReplicas).isNull();
  }

  @Test
  void missingConfigMapIsDegradedWhileTheStableRevisionKeepsServing() throws Exception {
    newNamespace();
    byte[] v1 = model("iris.onnx");
    modelConfigMap("iris-model", "iris.onnx", v1);
    client
        .resource(
            iris(StrategyType.RollingUpdate, 1, "configmap://iris-model/iris.onnx", null, "1"))
        .create();
    String rev1 = firstRevisionServes(1);

    ModelDeployment change = md();
    change.getSpec().model.uri = "configmap://no-such-map/iris.onnx";
    client.resource(change).update();
    awaitPhase(Phase.Degraded);
    ModelDeployment md = md();
    assertThat(condition(md, "Degraded")).isEqualTo("True/ModelSourceMissing");
    assertThat(condition(md, "Available")).isEqualTo("True/MinimumReplicasAvailable");
    assertThat(md.getStatus().stableRevision).isEqualTo(rev1);
    assertThat(deployments())
        .extracting(d -> d.getMetadata().getName())
        .containsExactly("iris-" + rev1);
    assertThat(revision(rev1).getSpec().getReplicas()).isEqualTo(1);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(events())
                    .anyMatch(
                        e ->
                            e.startsWith("Warning Degraded")
                                && e.contains("ConfigMap no-such-map not found")));
  }

  @Test
  void checksumMismatchAndUnsupportedStrategyBlockTheRollout() throws Exception {
    newNamespace();
    byte[] v1 = model("iris.onnx");
    modelConfigMap("m", "iris.onnx", v1);
    ModelDeployment md =
        iris(StrategyType.Recreate, 1, "configmap://m/iris.onnx", "0".repeat(64), "1");
    client.resource(md).create();
    awaitPhase(Phase.Degraded);
    assertThat(condition(md(), "Degraded")).isEqualTo("True/ModelChecksumMismatch");
    assertThat(deployments()).isEmpty();

    ModelDeployment fixed = md();
    fixed.getSpec().model.sha256 = sha(v1);
    client.resource(fixed).update();
    String rev1 = firstRevisionServes(1);

    ModelDeployment blueGreen = md();
    blueGreen.getSpec().strategy.type = StrategyType.BlueGreen;
    blueGreen.getSpec().traffic = new io.modelship.operator.api.TrafficSpec();
    blueGreen.getSpec().traffic.provider = io.modelship.operator.api.TrafficProvider.None;
    blueGreen.getSpec().model.version = "2";
    client.resource(blueGreen).update();
    awaitPhase(Phase.Degraded);
    assertThat(condition(md(), "Degraded")).isEqualTo("True/StrategyNotSupported");
    assertThat(deployments()).hasSize(1);
    assertThat(md().getStatus().stableRevision).isEqualTo(rev1);
  }

  @Test
  void aCandidateStuckPastItsProgressDeadlineIsRolledBack() throws Exception {
    newNamespace();
    byte[] v1 = model("iris.onnx");
    modelConfigMap("m", "iris.onnx", v1);
    ModelDeployment md =
        iris(StrategyType.RollingUpdate, 1, "configmap://m/iris.onnx", sha(v1), "1");
    md.getSpec().progressDeadlineSeconds = 30;
    client.resource(md).create();
    String rev1 = firstRevisionServes(1);

    ModelDeployment change = md();
    change.getSpec().model.version = "2";
    client.resource(change).update();
    await().atMost(WAIT).until(() -> deployments().size() == 2);
    String rev2 =
        deployments().stream()
            .map(d -> d.getMetadata().getLabels().get(Labels.REVISION))
            .filter(r -> !r.equals(rev1))
            .findFirst()
            .orElseThrow();
    assertThat(revision(rev2).getSpec().getProgressDeadlineSeconds()).isEqualTo(30);

    // What the Deployment controller reports when the pods never get ready in time.
    Deployment stuck = revision(rev2);
    DeploymentStatus st = new DeploymentStatus();
    st.setReplicas(1);
    st.setReadyReplicas(0);
    st.setConditions(
        List.of(
            new io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder()
                .withType("Progressing")
                .withStatus("False")
                .withReason("ProgressDeadlineExceeded")
                .withMessage("ReplicaSet \"iris-" + rev2 + "-x\" has timed out progressing.")
                .build()));
    stuck.setStatus(st);
    client.apps().deployments().inNamespace(ns).resource(stuck).updateStatus();

    awaitPhase(Phase.RolledBack);
    assertThat(condition(md(), "Degraded")).isEqualTo("True/ProgressDeadlineExceeded");
    assertThat(md().getStatus().rejectedRevision).isEqualTo(rev2);
    // Counted once for Prometheus, however many reconciles follow.
    assertThat(io.restassured.RestAssured.get("/q/metrics").asString())
        .contains(
            "modelship_rollbacks_total{name=\"iris\",namespace=\""
                + ns
                + "\",reason=\"ProgressDeadlineExceeded\"} 1.0");
    assertThat(md().getStatus().stableRevision).isEqualTo(rev1);
    await().atMost(WAIT).until(() -> deployments().size() == 1);
  }

  @Test
  void anApiKeyIsOnlyEverMountedNeverCopiedIntoObjectsStatusOrEvents() throws Exception {
    newNamespace();
    String key = "modelship-secret-key-" + java.util.UUID.randomUUID();
    client
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("iris-keys")
                .withNamespace(ns)
                .endMetadata()
                .withStringData(Map.of("keys", key + "\n"))
                .build())
        .create();
    byte[] v1 = model("iris.onnx");
    modelConfigMap("m", "iris.onnx", v1);
    ModelDeployment md =
        iris(StrategyType.RollingUpdate, 1, "configmap://m/iris.onnx", sha(v1), "1");
    md.getSpec().auth = new io.modelship.operator.api.AuthSpec();
    md.getSpec().auth.apiKeySecretRef = new io.modelship.operator.api.SecretKeyRef();
    md.getSpec().auth.apiKeySecretRef.name = "iris-keys";
    client.resource(md).create();
    String rev = firstRevisionServes(1);

    // The pods read the key from a Secret volume; nothing the operator wrote holds it.
    Deployment d = revision(rev);
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes())
        .anyMatch(v -> v.getSecret() != null && "iris-keys".equals(v.getSecret().getSecretName()));
    var json = client.getKubernetesSerialization();
    List<String> written = new java.util.ArrayList<>();
    deployments().forEach(x -> written.add(json.asJson(x)));
    client.configMaps().inNamespace(ns).list().getItems().forEach(x -> written.add(json.asJson(x)));
    client.services().inNamespace(ns).list().getItems().forEach(x -> written.add(json.asJson(x)));
    client
        .v1()
        .events()
        .inNamespace(ns)
        .list()
        .getItems()
        .forEach(x -> written.add(json.asJson(x)));
    written.add(json.asJson(md()));
    assertThat(written).hasSizeGreaterThan(4).noneMatch(x -> x.contains(key));
  }

  @Test
  void noSecretValueEverAppearsInTheOperatorsLog() throws Exception {
    newNamespace();
    String key = "modelship-log-key-" + java.util.UUID.randomUUID();
    String encoded = Base64.getEncoder().encodeToString((key + "\n").getBytes());
    client
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("iris-keys")
                .withNamespace(ns)
                .endMetadata()
                .withData(Map.of("keys", encoded))
                .build())
        .create();
    byte[] v1 = model("iris.onnx");
    modelConfigMap("m", "iris.onnx", v1);
    try (LogCapture log =
        LogCapture.start("io.modelship", "io.javaoperatorsdk", "io.fabric8", "io.quarkus")) {
      // A Canary: the router's admin token is made too. The key Secret is read, mounted, then
      // missing its key, then missing altogether, and a second revision starts: every path that
      // touches the Secret, with everything logged at DEBUG.
      ModelDeployment md = iris(StrategyType.Canary, 1, "configmap://m/iris.onnx", sha(v1), "1");
      md.getSpec().strategy.canary = new io.modelship.operator.api.CanarySpec();
      md.getSpec().strategy.canary.steps = List.of(AdversarialSpecTest.weight(50));
      md.getSpec().auth = new io.modelship.operator.api.AuthSpec();
      md.getSpec().auth.apiKeySecretRef = new io.modelship.operator.api.SecretKeyRef();
      md.getSpec().auth.apiKeySecretRef.name = "iris-keys";
      client.resource(md).create();
      await().atMost(WAIT).until(() -> deployments().size() == 1);
      markReady(deployments().get(0).getMetadata().getLabels().get(Labels.REVISION), 1);
      await()
          .atMost(WAIT)
          .until(
              () -> client.secrets().inNamespace(ns).withName("iris-router-token").get() != null);

      ModelDeployment wrongKey = md();
      wrongKey.getSpec().auth.apiKeySecretRef.key = "other";
      wrongKey.getSpec().model.version = "2";
      client.resource(wrongKey).update();
      awaitPhase(Phase.Degraded);
      assertThat(condition(md(), "Degraded")).isEqualTo("True/SecretMissing");

      ModelDeployment gone = md();
      gone.getSpec().auth.apiKeySecretRef.name = "no-such-keys";
      client.resource(gone).update();
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(degradedMessage(md())).contains("Secret no-such-keys not found"));

      ModelDeployment fixed = md();
      fixed.getSpec().auth.apiKeySecretRef.name = "iris-keys";
      fixed.getSpec().auth.apiKeySecretRef.key = null;
      client.resource(fixed).update();
      // The second revision starts (the router's Deployment is the third).
      await()
          .atMost(WAIT)
          .until(
              () ->
                  deployments().stream()
                          .filter(d -> d.getMetadata().getLabels().containsKey(Labels.REVISION))
                          .count()
                      == 2);

      var token = client.secrets().inNamespace(ns).withName("iris-router-token").get();
      String routerToken =
          token.getStringData() != null
              ? token.getStringData().get("token")
              : new String(Base64.getDecoder().decode(token.getData().get("token")));
      List<String> lines = log.operatorLines();
      assertThat(lines).anyMatch(l -> l.contains(ns + "/iris: desired"));
      assertThat(log.lines())
          .as(
              "the capture sees a Secret when one is logged: the mock API server logs what it stores")
          .anyMatch(l -> l.contains(encoded));
      assertThat(lines)
          .noneMatch(l -> l.contains(key))
          .noneMatch(l -> l.contains(encoded))
          .noneMatch(l -> l.contains(routerToken));
    }
  }

  String degradedMessage(ModelDeployment md) {
    return md.getStatus().conditions.stream()
        .filter(c -> c.getType().equals("Degraded"))
        .map(c -> c.getMessage())
        .findFirst()
        .orElse("");
  }

  @Test
  void candidateWhoseFetchFailsIsRolledBackAndNotRetried() throws Exception {
    newNamespace();
    byte[] v1 = model("iris.onnx");
    modelConfigMap("m", "iris.onnx", v1);
    client
        .resource(iris(StrategyType.RollingUpdate, 1, "configmap://m/iris.onnx", null, "1"))
        .create();
    String rev1 = firstRevisionServes(1);

    ModelDeployment change = md();
    change.getSpec().model.uri = "https://models.example/iris-v2.onnx";
    client.resource(change).update();
    await().atMost(WAIT).until(() -> md().getStatus().candidateRevision != null);
    String rev2 = md().getStatus().candidateRevision;

    Pod p = pod(rev2, "iris-new-pod");
    p.setStatus(
        new io.fabric8.kubernetes.api.model.PodStatusBuilder()
            .withPhase("Pending")
            .addNewInitContainerStatus()
            .withName("fetch")
            .withImage("x")
            .withNewState()
            .withNewTerminated()
            .withExitCode(5)
            .withReason("Error")
            .withMessage("sha256 mismatch for https://models.example/iris-v2.onnx")
            .endTerminated()
            .endState()
            .endInitContainerStatus()
            .build());
    client.pods().inNamespace(ns).resource(p).updateStatus();

    awaitPhase(Phase.RolledBack);
    ModelDeployment md = md();
    assertThat(md.getStatus().rejectedRevision).isEqualTo(rev2);
    assertThat(md.getStatus().stableRevision).isEqualTo(rev1);
    assertThat(condition(md, "Degraded")).isEqualTo("True/ModelFetchFailed");
    await().atMost(WAIT).untilAsserted(() -> assertThat(revision(rev2)).isNull());
    assertThat(revision(rev1).getSpec().getReplicas()).isEqualTo(1);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(events())
                    .anyMatch(
                        e -> e.startsWith("Warning RolledBack") && e.contains("sha256 mismatch")));

    // The spec still asks for the rejected revision: nothing is retried.
    client.pods().inNamespace(ns).withName("iris-new-pod").delete();
    Thread.sleep(1500);
    assertThat(revision(rev2)).isNull();
    assertThat(md().getStatus().phase).isEqualTo(Phase.RolledBack);
    assertThat(condition(md(), "Degraded")).isEqualTo("True/ModelFetchFailed");
  }
}
