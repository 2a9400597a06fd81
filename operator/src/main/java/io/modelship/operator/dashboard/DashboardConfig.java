package io.modelship.operator.dashboard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code modelship.dashboard.*} (or {@code MODELSHIP_DASHBOARD_*}): the web dashboard. */
@ConfigMapping(prefix = "modelship.dashboard")
public interface DashboardConfig {

  /** Serve the dashboard under /dashboard on the operator's HTTP port. Off by default. */
  @WithDefault("false")
  boolean enabled();
}
