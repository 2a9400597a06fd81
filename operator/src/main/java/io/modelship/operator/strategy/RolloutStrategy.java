package io.modelship.operator.strategy;

/** One rollout strategy: the next step, given what is observed. Pure and restart-safe. */
public interface RolloutStrategy {
  Plan next(RolloutInput in);
}
