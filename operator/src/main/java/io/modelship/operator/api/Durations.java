package io.modelship.operator.api;

/** Durations in the Go / Kubernetes form: 500ms, 30s, 5m, 1h30m. */
public final class Durations {
  public static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

  private Durations() {}
}
