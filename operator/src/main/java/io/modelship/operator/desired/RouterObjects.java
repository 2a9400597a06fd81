package io.modelship.operator.desired;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.modelship.operator.api.ModelDeployment;
import java.util.Map;

/**
 * The traffic router of a ModelDeployment that rolls out with BlueGreen, Canary or Shadow: a
 * Deployment {@code <name>-router} running the runtime image in router mode, its route table in the
 * ConfigMap {@code <name>-router} (re-read by the router when it changes), the token that may
 * change the table at once ({@code PUT /router/table}) in the Secret {@code <name>-router-token},
 * and the Service {@code <name>}, which then selects the router's pods instead of the runtime's.
 * Pure functions, like {@link DesiredObjects}.
 */
public final class RouterObjects {
  public static final String COMPONENT = "modelship.io/component";
  public static final String ROUTER = "router";
  public static final String TABLE_KEY = "table.json";
  public static final String TOKEN_KEY = "token";

  /** Router replicas per ModelDeployment unless {@code spec.traffic.routerReplicas} says. */
  public static final int DEFAULT_REPLICAS = 1;

  /** The router's preview listener: every request there goes to the candidate. */
  public static final int PREVIEW_PORT = 8081;

  static final String TABLE_DIR = "/etc/modelship/router";
  static final String TOKEN_DIR = "/etc/modelship/router-token";

  private RouterObjects() {}

  public static String name(ModelDeployment md) {
    return md.getMetadata().getName() + "-router";
  }

  /** The Service in front of the router's preview listener (BlueGreen). */
  public static String previewName(ModelDeployment md) {
    return md.getMetadata().getName() + "-preview";
  }

  public static String tokenName(ModelDeployment md) {
    return name(md) + "-token";
  }

  /** Labels of the router's objects and pods. */
  public static Map<String, String> labels(ModelDeployment md) {
    Map<String, String> l = Labels.of(md.getMetadata().getName());
    l.put("app.kubernetes.io/name", "model-router");
    l.put(COMPONENT, ROUTER);
    return l;
  }

  /** How many router pods the spec asks for. */
  public static int replicas(ModelDeployment md) {
    var t = md.getSpec().traffic;
    return t == null || t.routerReplicas == null ? DEFAULT_REPLICAS : t.routerReplicas;
  }

  public static Deployment deployment(ModelDeployment md, String image) {
    int replicas = replicas(md);
    String mdName = md.getMetadata().getName();
    Container router =
        new ContainerBuilder()
            .withName("router")
            .withImage(image)
            .withArgs(
                "--mode",
                "router",
                "--port",
                Integer.toString(DesiredObjects.HTTP_PORT),
                "--table-file",
                TABLE_DIR + "/" + TABLE_KEY,
                "--admin-token-file",
                TOKEN_DIR + "/" + TOKEN_KEY,
                "--preview-port",
                Integer.toString(PREVIEW_PORT))
            // Endpoints take a few seconds to drop a terminating router: keep answering meanwhile.
            .withEnv(new EnvVar("QUARKUS_SHUTDOWN_DELAY", "5s", null))
            .addNewPort()
            .withName("http")
            .withContainerPort(DesiredObjects.HTTP_PORT)
            .withProtocol("TCP")
            .endPort()
            .addNewPort()
            .withName("preview")
            .withContainerPort(PREVIEW_PORT)
            .withProtocol("TCP")
            .endPort()
            .withReadinessProbe(DesiredObjects.probe("/q/health/ready", 1, 3))
            .withLivenessProbe(DesiredObjects.probe("/q/health/live", 10, 3))
            .withVolumeMounts(
                DesiredObjects.mount("table", TABLE_DIR, true),
                DesiredObjects.mount("token", TOKEN_DIR, true),
                DesiredObjects.mount("tmp", "/tmp", false))
            .withSecurityContext(DesiredObjects.restricted())
            .withResources(
                new ResourceRequirementsBuilder()
                    .addToRequests("cpu", new Quantity("100m"))
                    .addToRequests("memory", new Quantity("128Mi"))
                    .addToLimits("memory", new Quantity("512Mi"))
                    .build())
            .build();
    return new DeploymentBuilder()
        .withMetadata(DesiredObjects.meta(md, name(md), labels(md)))
        .withNewSpec()
        .withReplicas(replicas)
        .withRevisionHistoryLimit(2)
        .withNewSelector()
        .withMatchLabels(new java.util.TreeMap<>(Map.of(Labels.NAME, mdName, COMPONENT, ROUTER)))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels(md))
        .endMetadata()
        .withNewSpec()
        .withEnableServiceLinks(false)
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(30L)
        .withSecurityContext(DesiredObjects.podSecurity())
        .withContainers(router)
        .withVolumes(
            new VolumeBuilder()
                .withName("table")
                .withNewConfigMap()
                .withName(name(md))
                .endConfigMap()
                .build(),
            new VolumeBuilder()
                .withName("token")
                .withNewSecret()
                .withSecretName(tokenName(md))
                .endSecret()
                .build(),
            new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build())
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** The route table, as the router's table file. */
  public static ConfigMap table(ModelDeployment md, TrafficTable table) {
    return new ConfigMapBuilder()
        .withMetadata(DesiredObjects.meta(md, name(md), labels(md)))
        .withData(Map.of(TABLE_KEY, table.json()))
        .build();
  }

  /** The router's admin token; made once (its value comes from the caller) and then kept. */
  public static Secret token(ModelDeployment md, String token) {
    return new SecretBuilder()
        .withMetadata(DesiredObjects.meta(md, tokenName(md), labels(md)))
        .withType("Opaque")
        .withStringData(Map.of(TOKEN_KEY, token))
        .build();
  }

  /** The Service clients use, in front of the router's pods. */
  public static Service service(ModelDeployment md) {
    return routerService(md, md.getMetadata().getName(), "http");
  }

  /**
   * The BlueGreen preview, {@code <name>-preview}: the router's preview listener, which sends every
   * request to the candidate (to the stable revision when there is none) and counts it as the
   * candidate's, so the analysis sees what testers send there.
   */
  public static Service previewService(ModelDeployment md) {
    return routerService(md, previewName(md), "preview");
  }

  private static Service routerService(ModelDeployment md, String name, String targetPort) {
    String mdName = md.getMetadata().getName();
    return new ServiceBuilder()
        .withMetadata(DesiredObjects.meta(md, name, Labels.of(mdName)))
        .withNewSpec()
        .withSelector(new java.util.TreeMap<>(Map.of(Labels.NAME, mdName, COMPONENT, ROUTER)))
        .addNewPort()
        .withName("http")
        .withPort(DesiredObjects.HTTP_PORT)
        .withTargetPort(new IntOrString(targetPort))
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }
}
