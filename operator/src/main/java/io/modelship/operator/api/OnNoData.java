package io.modelship.operator.api;

/** What an analysis does when it has too few samples to decide. */
public enum OnNoData {
  Pause,
  Fail,
  Pass
}
