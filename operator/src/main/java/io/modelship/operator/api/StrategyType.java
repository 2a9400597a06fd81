package io.modelship.operator.api;

/** Rollout strategies. */
public enum StrategyType {
  Recreate,
  RollingUpdate,
  BlueGreen,
  Canary,
  Shadow
}
