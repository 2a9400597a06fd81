package io.modelship.operator.desired;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.TransformerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The optional transformer container chained in front of the runtime. Without one, the runtime's
 * port is the pod's {@code http} port; with one, the transformer owns {@code http} (the Service and
 * the router send traffic there) and the runtime moves to {@link #RUNTIME_PORT}, named {@code
 * runtime}, reached by the transformer on localhost.
 */
public final class Transformers {
  /** Where the runtime listens when a transformer is in front of it. */
  public static final int RUNTIME_PORT = 8081;

  public static final int DEFAULT_PORT = DesiredObjects.HTTP_PORT;

  /** Pod annotation naming the port clients are served on, when it is not the usual 8080. */
  public static final String SERVING_PORT = "modelship.io/serving-port";

  public static final String PREDICTOR_URL = "MODELSHIP_PREDICTOR_URL";
  public static final String LISTEN_PORT = "MODELSHIP_TRANSFORMER_PORT";

  private Transformers() {}

  /** The port the runtime container listens on. */
  public static int runtimePort(ModelDeploymentSpec spec) {
    return spec.transformer == null ? DesiredObjects.HTTP_PORT : RUNTIME_PORT;
  }

  /** The name of the runtime's container port (and of its probes' port). */
  public static String runtimePortName(ModelDeploymentSpec spec) {
    return spec.transformer == null ? "http" : "runtime";
  }

  /** The port of the pod that clients (Service, router) reach. */
  public static int servingPort(ModelDeploymentSpec spec) {
    return spec.transformer == null || spec.transformer.port == null
        ? DesiredObjects.HTTP_PORT
        : spec.transformer.port;
  }

  /** Pod annotations telling the router where to reach a revision's pods; empty for 8080. */
  public static Map<String, String> podAnnotations(ModelDeploymentSpec spec) {
    int port = servingPort(spec);
    return port == DesiredObjects.HTTP_PORT
        ? Map.of()
        : Map.of(SERVING_PORT, Integer.toString(port));
  }

  /** The serving port a pod's annotations name; 8080 when absent or unreadable. */
  public static int servingPort(Map<String, String> podAnnotations) {
    String v = podAnnotations == null ? null : podAnnotations.get(SERVING_PORT);
    if (v == null) {
      return DesiredObjects.HTTP_PORT;
    }
    try {
      int p = Integer.parseInt(v);
      return p >= 1 && p <= 65535 ? p : DesiredObjects.HTTP_PORT;
    } catch (NumberFormatException e) {
      return DesiredObjects.HTTP_PORT;
    }
  }

  /** The transformer container, or {@code null} when the spec has none. */
  public static Container container(ModelDeploymentSpec spec) {
    TransformerSpec t = spec.transformer;
    if (t == null) {
      return null;
    }
    int port = servingPort(spec);
    List<EnvVar> env = new ArrayList<>();
    if (t.env != null) {
      t.env.stream()
          .filter(e -> !PREDICTOR_URL.equals(e.getName()) && !LISTEN_PORT.equals(e.getName()))
          .forEach(env::add);
    }
    env.add(new EnvVar(PREDICTOR_URL, "http://127.0.0.1:" + RUNTIME_PORT, null));
    env.add(new EnvVar(LISTEN_PORT, Integer.toString(port), null));
    Probe ready =
        t.readinessPath != null
            ? new ProbeBuilder()
                .withNewHttpGet()
                .withPath(t.readinessPath)
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .build()
            : new ProbeBuilder()
                .withNewTcpSocket()
                .withPort(new IntOrString("http"))
                .endTcpSocket()
                .build();
    ready.setPeriodSeconds(1);
    ready.setFailureThreshold(3);
    ready.setTimeoutSeconds(2);
    return new ContainerBuilder()
        .withName("transformer")
        .withImage(t.image)
        .withCommand(t.command)
        .withArgs(t.args)
        .withEnv(env)
        .addNewPort()
        .withName("http")
        .withContainerPort(port)
        .withProtocol("TCP")
        .endPort()
        .withReadinessProbe(ready)
        .withVolumeMounts(DesiredObjects.mount("transformer-tmp", "/tmp", false))
        .withSecurityContext(DesiredObjects.restricted())
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withResources(
            t.resources != null
                ? t.resources
                : new ResourceRequirementsBuilder()
                    .addToRequests("cpu", new Quantity("50m"))
                    .addToRequests("memory", new Quantity("64Mi"))
                    .addToLimits("memory", new Quantity("256Mi"))
                    .build())
        .build();
  }
}
