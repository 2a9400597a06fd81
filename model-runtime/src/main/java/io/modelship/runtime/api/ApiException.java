package io.modelship.runtime.api;

import java.util.List;

/**
 * A request the runtime refuses, with the HTTP status and everything wrong with it. Thrown only for
 * the client's mistakes; the message never carries internals.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final List<Violation> violations;

  public ApiException(int status, String message, List<Violation> violations) {
    super(message, null, false, false);
    this.status = status;
    this.violations = List.copyOf(violations);
  }

  public ApiException(int status, String message) {
    this(status, message, List.of());
  }

  /** A single wrong field. */
  public static ApiException field(int status, String field, String reason) {
    return new ApiException(status, field + ": " + reason, List.of(new Violation(field, reason)));
  }

  public int status() {
    return status;
  }

  public List<Violation> violations() {
    return violations;
  }
}
