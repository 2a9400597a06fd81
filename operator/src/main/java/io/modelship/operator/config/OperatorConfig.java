package io.modelship.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Operator settings ({@code modelship.*}, or {@code MODELSHIP_*} environment variables). */
@ConfigMapping(prefix = "modelship")
public interface OperatorConfig {

  /** The runtime image pods run unless a ModelDeployment names its own. */
  @WithDefault("ghcr.io/modelship/model-runtime:0.1.0")
  String runtimeImage();

  /** Used to write status.url. */
  @WithDefault("cluster.local")
  String clusterDomain();

  /** Grace period given to serving pods: the runtime drains in-flight requests in it. */
  @WithDefault("40")
  long terminationGracePeriodSeconds();
}
