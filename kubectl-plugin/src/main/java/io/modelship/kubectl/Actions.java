package io.modelship.kubectl;

import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.RolloutAction;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.reconciler.SetWeightRequest;

/**
 * What each driving command writes, and when it is refused. Pure: the ModelDeployment as read comes
 * in, a JSON merge patch (or a refusal that says why) goes out. The operator acts on the same
 * annotations and fields (docs/strategies.md, "Pausing, aborting, retrying").
 */
public final class Actions {
  private Actions() {}

  /**
   * @param patch the JSON merge patch to send, or null when there is nothing to change
   * @param message what was asked for, or why nothing is sent, for the user
   */
  public record Plan(String patch, String message) {}

  /** The state does not allow the action: exit {@link Exit#REFUSED}. */
  public static final class Refused extends Exception {
    public Refused(String message) {
      super(message);
    }
  }

  public static Plan plan(String command, ModelDeployment md, String weight) throws Refused {
    String name = md.getMetadata().getName();
    ModelDeploymentStatus s = md.getStatus() == null ? new ModelDeploymentStatus() : md.getStatus();
    StrategyType type =
        md.getSpec().strategy == null || md.getSpec().strategy.type == null
            ? StrategyType.RollingUpdate
            : md.getSpec().strategy.type;
    switch (command) {
      case "promote" -> {
        requireRollout(name, s, "promote");
        if (type == StrategyType.RollingUpdate || type == StrategyType.Recreate) {
          throw new Refused(
              name
                  + " rolls out with "
                  + type
                  + ", which moves on as the new pods become ready: there is nothing to promote"
                  + " (abort stops it)");
        }
        return new Plan(
            RolloutAction.PROMOTE.mergePatch(),
            "promote requested: "
                + name
                + " moves to revision "
                + s.candidateRevision
                + (type == StrategyType.BlueGreen ? " (switch)" : ""));
      }
      case "abort" -> {
        requireRollout(name, s, "abort");
        return new Plan(
            RolloutAction.ABORT.mergePatch(),
            "abort requested: "
                + name
                + " goes back to revision "
                + s.stableRevision
                + " and rejects "
                + s.candidateRevision);
      }
      case "retry" -> {
        if (s.rejectedRevision == null) {
          throw new Refused(name + " has no rejected revision to retry");
        }
        return new Plan(
            RolloutAction.RETRY.mergePatch(),
            "retry requested: revision " + s.rejectedRevision + " is tried again");
      }
      case "pause" -> {
        if (Boolean.TRUE.equals(md.getSpec().paused)) {
          return new Plan(null, name + " is paused already");
        }
        return new Plan(
            RolloutAction.PAUSE.mergePatch(),
            name
                + " paused (spec.paused: true): rollouts hold at their current step until resumed."
                + " A GitOps tool that syncs this field sets it back to what Git says.");
      }
      case "resume" -> {
        if (!Boolean.TRUE.equals(md.getSpec().paused)) {
          return new Plan(null, name + " is not paused");
        }
        return new Plan(RolloutAction.RESUME.mergePatch(), name + " resumed (spec.paused removed)");
      }
      case "set-weight" -> {
        String why = SetWeightRequest.refusal(md.getSpec(), s, s.candidateRevision != null, weight);
        if (why != null) {
          throw new Refused("set-weight " + weight + " refused for " + name + ": " + why);
        }
        return new Plan(
            RolloutAction.setWeightPatch(Integer.parseInt(weight)),
            "set-weight requested: revision "
                + s.candidateRevision
                + " gets "
                + Integer.parseInt(weight)
                + " % once its pods are ready, until the next setWeight step");
      }
      default -> throw new IllegalArgumentException(command);
    }
  }

  private static void requireRollout(String name, ModelDeploymentStatus s, String what)
      throws Refused {
    if (s.candidateRevision == null) {
      throw new Refused(
          name
              + " has no rollout in progress"
              + (s.stableRevision == null ? "" : " (revision " + s.stableRevision + " serves)")
              + ": nothing to "
              + what);
    }
  }
}
