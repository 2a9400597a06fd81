package io.modelship.operator.strategy;

import java.time.Instant;

/**
 * The outcome of one reconcile: what to run, and what status will say.
 *
 * @param stable the revision serving after this step
 * @param candidate the revision being rolled out, or null
 * @param rejected the revision not to be retried until the spec changes, or null
 * @param degraded what is wrong, or null
 * @param candidateWeight percent of client traffic that reaches the candidate
 * @param canary where a routed rollout (Canary, Shadow, BlueGreen) stands after this step, or null
 * @param scaleDownAt after a BlueGreen switch, when the previous revision may go (it is kept at
 *     full size until then), or null
 */
public record Decision(
    Plan plan,
    String stable,
    String candidate,
    String rejected,
    Failure degraded,
    int candidateWeight,
    CanarySteps.State canary,
    Instant scaleDownAt) {

  public Decision(
      Plan plan,
      String stable,
      String candidate,
      String rejected,
      Failure degraded,
      int candidateWeight,
      CanarySteps.State canary) {
    this(plan, stable, candidate, rejected, degraded, candidateWeight, canary, null);
  }

  public Decision(
      Plan plan,
      String stable,
      String candidate,
      String rejected,
      Failure degraded,
      int candidateWeight) {
    this(plan, stable, candidate, rejected, degraded, candidateWeight, null);
  }
}
