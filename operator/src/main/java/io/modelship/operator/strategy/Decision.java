package io.modelship.operator.strategy;

/**
 * The outcome of one reconcile: what to run, and what status will say.
 *
 * @param stable the revision serving after this step
 * @param candidate the revision being rolled out, or null
 * @param rejected the revision not to be retried until the spec changes, or null
 * @param degraded what is wrong, or null
 * @param candidateWeight percent of client traffic that reaches the candidate
 * @param canary where a Canary rollout stands after this step, or null for other strategies
 */
public record Decision(
    Plan plan,
    String stable,
    String candidate,
    String rejected,
    Failure degraded,
    int candidateWeight,
    CanarySteps.State canary) {

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
