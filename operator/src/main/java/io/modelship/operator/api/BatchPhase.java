package io.modelship.operator.api;

/** Where a ModelBatchJob stands. */
public enum BatchPhase {
  /** Waiting: for the referenced objects, or for the run's pod to start. */
  Pending,
  /** A run is under way. */
  Running,
  /** The run finished (rejected rows allowed, up to spec.maxRejectedFraction). */
  Succeeded,
  /** The run failed; status.lastRun.message says why. */
  Failed,
  /** A scheduled job waiting for its next run. */
  Scheduled,
  /** A scheduled job with spec.suspend: no new runs. */
  Suspended
}
