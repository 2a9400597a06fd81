package io.modelship.operator.api;

import java.util.Locale;
import java.util.Optional;

/**
 * What a user's request does to a ModelDeployment: the JSON merge patch a user could send with
 * {@code kubectl patch --type merge} (docs/strategies.md, "Pausing, aborting, retrying"). The
 * dashboard's buttons and the kubectl plugin's commands send these; the operator acts on them.
 */
public enum RolloutAction {
  PROMOTE,
  ABORT,
  RETRY,
  PAUSE,
  RESUME;

  /** The annotation the operator reads promote, abort and retry from. */
  public static final String ANNOTATION = "modelship.io/action";

  /** The annotation the operator reads a Canary's share set by hand from. */
  public static final String SET_WEIGHT = "modelship.io/set-weight";

  public static Optional<RolloutAction> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    for (RolloutAction action : values()) {
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

  /** The JSON merge patch that asks for a Canary's share of traffic set by hand. */
  public static String setWeightPatch(int percent) {
    return "{\"metadata\":{\"annotations\":{\"" + SET_WEIGHT + "\":\"" + percent + "\"}}}";
  }
}
