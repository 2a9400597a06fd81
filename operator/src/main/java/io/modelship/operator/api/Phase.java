package io.modelship.operator.api;

/** Where a ModelDeployment stands. */
public enum Phase {
  /** Nothing serves yet: the first revision is starting. */
  Pending,
  /** A rollout is under way. */
  Progressing,
  /** A rollout waits for a promote, a timed pause, or spec.paused. */
  Paused,
  /** The desired revision serves with every replica ready. */
  Healthy,
  /** Something is wrong; status says what. The revision already serving keeps serving. */
  Degraded,
  /** A rollout was aborted or failed its analysis; the previous revision serves. */
  RolledBack
}
