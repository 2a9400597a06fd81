package io.modelship.operator.strategy;

import io.modelship.operator.api.Phase;
import io.modelship.operator.api.StrategyType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides each reconcile from spec and observed state, before and around the strategy: rejected
 * revisions, failures, blocked rollouts, user actions. Pure, so a restarted operator that sees the
 * same world decides the same thing.
 */
public final class Decider {

  /** A user's request through the {@code modelship.io/action} annotation. */
  public enum Action {
    NONE,
    ABORT,
    RETRY,
    PROMOTE
  }

  /**
   * @param type the strategy in the spec
   * @param rejected status.rejectedRevision
   * @param blocked why the desired revision cannot be rolled out (a missing ConfigMap, an
   *     unsupported strategy or feature), or null
   * @param desiredFailure why the desired revision's pods cannot serve, or null
   * @param rejection why the rejected revision was rejected (from status), or null
   */
  public record Input(
      RolloutInput rollout,
      StrategyType type,
      String rejected,
      Failure blocked,
      Failure desiredFailure,
      boolean paused,
      Action action,
      Failure rejection) {}

  private Decider() {}

  public static Decision decide(Input in) {
    RolloutInput r = in.rollout();
    String desired = r.desired();
    String stable = r.stable();
    String rejected = in.action() == Action.RETRY ? null : in.rejected();

    if (desired.equals(stable)) {
      Plan plan = Rollouts.finish(r, "scaling");
      Failure problem = in.desiredFailure() != null ? in.desiredFailure() : in.blocked();
      if (problem != null) {
        plan = with(plan, Phase.Degraded, problem);
      }
      return new Decision(plan, stable, null, rejected, problem, 0);
    }
    if (desired.equals(rejected)) {
      Failure f =
          in.rejection() != null
              ? in.rejection()
              : new Failure(
                  "RevisionRejected",
                  "revision "
                      + desired
                      + " was rejected earlier; change the spec, or annotate"
                      + " modelship.io/action=retry to try it again");
      return hold(r, Phase.RolledBack, f, rejected);
    }
    if (in.blocked() != null) {
      return hold(r, Phase.Degraded, in.blocked(), rejected);
    }
    if (in.desiredFailure() != null || in.action() == Action.ABORT) {
      Failure f =
          in.desiredFailure() != null
              ? in.desiredFailure()
              : new Failure(
                  "Aborted", "rollout of " + desired + " aborted by modelship.io/action=abort");
      return hold(r, stable == null ? Phase.Degraded : Phase.RolledBack, f, desired);
    }
    if (in.paused() && stable != null) {
      Map<String, Integer> keep = new LinkedHashMap<>();
      r.revisions().forEach(s -> keep.put(s.revision(), s.specReplicas()));
      Plan plan =
          new Plan(
              keep,
              Set.of(),
              Phase.Paused,
              false,
              "Paused",
              "spec.paused is true: the rollout of " + desired + " is frozen");
      return new Decision(plan, stable, desired, rejected, null, weight(r));
    }

    RolloutStrategy strategy =
        stable == null || in.type() == StrategyType.Recreate
            ? (stable == null ? first() : new RecreateStrategy())
            : new RollingUpdateStrategy();
    Plan plan = strategy.next(r);
    if (plan.complete()) {
      return new Decision(plan, desired, null, rejected, null, 0);
    }
    return new Decision(plan, stable, desired, rejected, null, weight(r));
  }

  /** The first revision has nothing to replace: it simply starts. */
  private static RolloutStrategy first() {
    return in -> Rollouts.finish(in, "starting");
  }

  /** Keeps the stable revision serving at full size and removes every other revision. */
  private static Decision hold(RolloutInput r, Phase phase, Failure why, String rejected) {
    Map<String, Integer> replicas = new LinkedHashMap<>();
    if (r.stable() != null) {
      replicas.put(r.stable(), r.replicas());
    }
    Set<String> delete =
        r.revisions().stream()
            .map(RevisionState::revision)
            .filter(rev -> !rev.equals(r.stable()))
            .collect(Collectors.toSet());
    String serving =
        r.stable() == null ? "nothing serves yet" : "revision " + r.stable() + " keeps serving";
    Plan plan =
        new Plan(replicas, delete, phase, false, why.reason(), why.message() + "; " + serving);
    return new Decision(plan, r.stable(), null, rejected, why, 0);
  }

  private static Plan with(Plan p, Phase phase, Failure f) {
    return new Plan(p.replicas(), p.delete(), phase, p.complete(), f.reason(), f.message());
  }

  /** Share of ready serving pods that belong to the desired revision, in percent. */
  static int weight(RolloutInput r) {
    int desiredReady = r.state(r.desired()).readyReplicas();
    int total = r.revisions().stream().mapToInt(RevisionState::readyReplicas).sum();
    return total == 0 ? 0 : (int) Math.round(100.0 * desiredReady / total);
  }
}
