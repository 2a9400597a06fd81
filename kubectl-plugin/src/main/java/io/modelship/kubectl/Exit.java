package io.modelship.kubectl;

/** Exit codes, for scripts: each kind of failure has its own. */
public enum Exit {
  /** Done. */
  OK(0),
  /** The cluster could not be reached, or answered with an unexpected error. */
  ERROR(1),
  /** The command line is wrong. */
  USAGE(2),
  /** The ModelDeployment (or its API) is not there. */
  NOT_FOUND(3),
  /** The API server refused: the user's RBAC does not allow it, or the credentials are bad. */
  FORBIDDEN(4),
  /** The ModelDeployment is not in a state that allows the action (e.g. nothing to promote). */
  REFUSED(5);

  public final int code;

  Exit(int code) {
    this.code = code;
  }
}
