package io.modelship.kubectl;

import io.modelship.operator.api.ModelDeployment;
import java.time.Instant;
import java.util.List;

/**
 * What {@code status} shows of one ModelDeployment, as read at one moment.
 *
 * @param workloads its Deployments (each serving revision, and the router)
 * @param events its latest Events, oldest first
 */
public record Snapshot(
    ModelDeployment md, List<Workload> workloads, List<EventLine> events, Instant now) {

  /**
   * One Deployment of the ModelDeployment.
   *
   * @param revision its revision label, or null for the router
   */
  public record Workload(String name, String revision, int replicas, int ready) {}

  /** One Event. */
  public record EventLine(Instant at, String type, String reason, String message, int count) {}
}
