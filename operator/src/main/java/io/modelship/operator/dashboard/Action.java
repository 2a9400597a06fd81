package io.modelship.operator.dashboard;

import java.util.Locale;
import java.util.Optional;

/**
 * What the dashboard's buttons do to a ModelDeployment: the JSON merge patch a user could send with
 * {@code kubectl patch --type merge} (docs/strategies.md, "Pausing, aborting, retrying").
 */
public enum Action {
  PROMOTE,
  ABORT,
  RETRY,
  PAUSE,
  RESUME;

  static final String ANNOTATION = "modelship.io/action";

  public static Optional<Action> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    for (Action action : values()) {
      if (action.wireName().equals(name)) {
        return Optional.of(action);
      }
    }
    return Optional.empty();
  }

  /** The name in the URL and in the annotation's value. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The JSON merge patch (RFC 7386) that asks the operator for this action. */
  public String mergePatch() {
    return switch (this) {
      case PROMOTE, ABORT, RETRY ->
          "{\"metadata\":{\"annotations\":{\"" + ANNOTATION + "\":\"" + wireName() + "\"}}}";
      case PAUSE -> "{\"spec\":{\"paused\":true}}";
      // null removes the field: the spec reads as it did before the pause.
      case RESUME -> "{\"spec\":{\"paused\":null}}";
    };
  }
}
