package io.modelship.operator.strategy;

import io.modelship.operator.api.CanaryStep;
import io.modelship.operator.api.Phase;
import io.modelship.operator.api.StrategyType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
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
   * @param steps what a stepped strategy (Canary, Shadow, BlueGreen) decides from, or null
   */
  public record Input(
      RolloutInput rollout,
      StrategyType type,
      String rejected,
      Failure blocked,
      Failure desiredFailure,
      boolean paused,
      Action action,
      Failure rejection,
      Steps steps) {

    public Input(
        RolloutInput rollout,
        StrategyType type,
        String rejected,
        Failure blocked,
        Failure desiredFailure,
        boolean paused,
        Action action,
        Failure rejection) {
      this(rollout, type, rejected, blocked, desiredFailure, paused, action, rejection, null);
    }
  }

  /** The inputs of one of the stepped strategies, beyond the revisions. */
  public sealed interface Steps permits Canary, Shadow, BlueGreen {}

  /**
   * What a Canary rollout decides from besides the revisions: its steps, where it stands (null when
   * it starts), the clock and the analysis.
   */
  public record Canary(
      List<CanaryStep> steps,
      CanarySteps.State state,
      Instant now,
      Gate gate,
      int minPods,
      Integer setWeight)
      implements Steps {

    public Canary(List<CanaryStep> steps, CanarySteps.State state, Instant now, Gate gate) {
      this(steps, state, now, gate, 0, null);
    }

    public Canary(
        List<CanaryStep> steps, CanarySteps.State state, Instant now, Gate gate, int minPods) {
      this(steps, state, now, gate, minPods, null);
    }
  }

  /**
   * What a Shadow rollout decides from: the mirrored share and how long, when mirroring began
   * ({@code state.stepStartedAt}, null state before), the clock and the analysis.
   */
  public record Shadow(
      int mirrorPercent,
      java.time.Duration duration,
      CanarySteps.State state,
      Instant now,
      Gate gate)
      implements Steps {}

  /**
   * What a BlueGreen rollout decides from: when to promote by itself (null: only on request), how
   * long the old revision stays after the switch, when the preview became fully ready ({@code
   * state.stepStartedAt}, null state before), the clock, the analysis of the preview's traffic,
   * and, after a switch, until when the previous revision is kept ({@code status.scaleDownAt}).
   */
  public record BlueGreen(
      Integer autoPromotionSeconds,
      Integer scaleDownDelaySeconds,
      CanarySteps.State state,
      Instant now,
      Gate gate,
      Instant scaleDownAt)
      implements Steps {}

  private Decider() {}

  public static Decision decide(Input in) {
    RolloutInput r = in.rollout();
    String desired = r.desired();
    String stable = r.stable();
    String rejected = in.action() == Action.RETRY ? null : in.rejected();

    if (desired.equals(stable)) {
      Plan plan = Rollouts.finish(r, "scaling");
      Instant keepUntil = null;
      if (in.steps() instanceof BlueGreen bg
          && bg.scaleDownAt() != null
          && bg.now().isBefore(bg.scaleDownAt())) {
        plan = keepPrevious(r, plan, bg.scaleDownAt());
        keepUntil = bg.scaleDownAt();
      }
      Failure problem = in.desiredFailure() != null ? in.desiredFailure() : in.blocked();
      if (problem != null) {
        plan = with(plan, Phase.Degraded, problem);
      }
      return new Decision(plan, stable, null, rejected, problem, 0, null, keepUntil);
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
      return paused(r, in, plan, rejected);
    }

    if (stable != null && in.type() == StrategyType.Canary && in.steps() instanceof Canary c) {
      return canary(r, in, c, rejected);
    }
    if (stable != null && in.type() == StrategyType.Shadow && in.steps() instanceof Shadow sh) {
      return shadow(r, in, sh, rejected);
    }
    if (stable != null
        && in.type() == StrategyType.BlueGreen
        && in.steps() instanceof BlueGreen bg) {
      return blueGreen(r, in, bg, rejected);
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

  /**
   * A Canary step: the stable revision keeps all its replicas, the candidate has the pods its share
   * needs, the router gives it the step's weight. At the end the candidate is scaled to full size
   * and becomes stable once ready (the reconciler deletes the old revision only after every router
   * has stopped sending it traffic). A failed analysis rolls back like an abort.
   */
  private static Decision canary(RolloutInput r, Input in, Canary c, String rejected) {
    String desired = r.desired();
    CanarySteps.State start = c.state() == null ? CanarySteps.State.start(c.now()) : c.state();
    CanarySteps.Result res =
        CanarySteps.next(
            new CanarySteps.Input(
                c.steps(),
                start,
                c.now(),
                r.replicas(),
                r.state(desired).readyReplicas(),
                c.gate().verdict(),
                c.gate().reasons(),
                c.gate().failureLimit(),
                in.action() == Action.PROMOTE,
                c.setWeight()));
    return switch (res.outcome()) {
      case ROLLBACK -> analysisFailed(r, res.message());
      case PROMOTE -> promote(r, rejected, res.weight(), res.state());
      // A/B rules send their requests to the candidate whatever the weight: it needs a pod.
      default ->
          step(
              r,
              rejected,
              Math.max(res.candidateReplicas(), c.minPods()),
              "CanaryStep",
              res.message(),
              res.weight(),
              res.state());
    };
  }

  /**
   * A Shadow step: clients only ever get the stable revision's answers; the candidate, scaled for
   * the mirrored share, gets a copy of it. After the duration it is promoted on a passing analysis
   * (promotion and rollback as in {@link #canary}). The decision's {@code canary} state carries
   * when mirroring began, in {@code stepStartedAt}.
   */
  private static Decision shadow(RolloutInput r, Input in, Shadow sh, String rejected) {
    String desired = r.desired();
    Instant since = sh.state() == null ? null : sh.state().stepStartedAt();
    int failures = sh.state() == null ? 0 : sh.state().analysisFailures();
    ShadowSteps.Result res =
        ShadowSteps.next(
            new ShadowSteps.Input(
                r.replicas(),
                r.state(desired).readyReplicas(),
                sh.mirrorPercent(),
                sh.duration(),
                since,
                sh.now(),
                sh.gate(),
                in.action() == Action.PROMOTE));
    int nextFailures = failures + (sh.gate().verdict() == Analysis.Outcome.FAIL ? 1 : 0);
    return switch (res.outcome()) {
      case ROLLBACK -> analysisFailed(r, res.message());
      case PROMOTE ->
          promote(
              r,
              rejected,
              0,
              new CanarySteps.State(0, since == null ? sh.now() : since, nextFailures));
      default ->
          step(
              r,
              rejected,
              res.candidateReplicas(),
              "Shadowing",
              res.message(),
              0,
              res.mirroringSince() == null
                  ? null
                  : new CanarySteps.State(0, res.mirroringSince(), nextFailures));
    };
  }

  /**
   * A BlueGreen step: the candidate at full size, reachable only through the preview, until it is
   * promoted; then every client switches to it at once, and the previous revision stays at full
   * size for scaleDownDelaySeconds. Rollback as in {@link #canary}.
   */
  private static Decision blueGreen(RolloutInput r, Input in, BlueGreen bg, String rejected) {
    Instant readySince = bg.state() == null ? null : bg.state().stepStartedAt();
    int failures = bg.state() == null ? 0 : bg.state().analysisFailures();
    int nextFailures = failures + (bg.gate().verdict() == Analysis.Outcome.FAIL ? 1 : 0);
    BlueGreenSteps.Result res =
        BlueGreenSteps.next(
            new BlueGreenSteps.Input(
                r.replicas(),
                r.state(r.desired()).readyReplicas(),
                readySince,
                bg.now(),
                bg.autoPromotionSeconds(),
                bg.gate(),
                in.action() == Action.PROMOTE));
    CanarySteps.State state =
        res.readySince() == null ? null : new CanarySteps.State(0, res.readySince(), nextFailures);
    return switch (res.outcome()) {
      case ROLLBACK -> analysisFailed(r, res.message());
      case PROMOTE -> {
        Plan p = Rollouts.finish(r, "promoting");
        if (!p.complete()) {
          // A preview pod went away meanwhile: clients stay on the stable until all are ready.
          yield new Decision(p, r.stable(), r.desired(), rejected, null, 0, state);
        }
        Instant until = BlueGreenSteps.scaleDownAt(bg.now(), bg.scaleDownDelaySeconds());
        Plan switched =
            keepPrevious(
                r,
                new Plan(
                    p.replicas(),
                    p.delete(),
                    p.phase(),
                    true,
                    "Promoted",
                    "revision " + r.desired() + " serves all clients: " + res.message()),
                until);
        yield new Decision(switched, r.desired(), null, rejected, null, 0, null, until);
      }
      default -> step(r, rejected, r.replicas(), "Preview", res.message(), 0, state);
    };
  }

  /**
   * After a BlueGreen switch: the revisions the plan would remove stay at the size they have until
   * {@code until}, so a client still holding a connection, or a quick change back, finds them.
   */
  private static Plan keepPrevious(RolloutInput r, Plan plan, Instant until) {
    Map<String, Integer> replicas = new LinkedHashMap<>(plan.replicas());
    for (RevisionState o : r.others()) {
      replicas.putIfAbsent(o.revision(), o.specReplicas());
    }
    return new Plan(
        replicas,
        Set.of(),
        plan.phase(),
        plan.complete(),
        plan.reason(),
        plan.message()
            + (replicas.size() > plan.replicas().size()
                ? "; the previous revision is kept until " + Rollouts.at(until)
                : ""));
  }

  /** A failed analysis: back to the stable revision at once, the candidate rejected. */
  private static Decision analysisFailed(RolloutInput r, String why) {
    return hold(
        r,
        Phase.RolledBack,
        new Failure("AnalysisFailed", "rollout of " + r.desired() + " rolled back: " + why),
        r.desired());
  }

  /**
   * Promotion: the candidate at full size; it becomes stable once ready (the weight and state stay
   * until then).
   */
  private static Decision promote(
      RolloutInput r, String rejected, int weight, CanarySteps.State state) {
    Plan p = Rollouts.finish(r, "promoting");
    if (p.complete()) {
      return new Decision(p, r.desired(), null, rejected, null, 0);
    }
    return new Decision(p, r.stable(), r.desired(), rejected, null, weight, state);
  }

  /**
   * A step of a routed rollout: the stable revision at full size, the candidate at {@code pods},
   * any other revision removed.
   */
  private static Decision step(
      RolloutInput r,
      String rejected,
      int pods,
      String reason,
      String message,
      int weight,
      CanarySteps.State state) {
    Map<String, Integer> replicas = new LinkedHashMap<>();
    replicas.put(r.stable(), r.replicas());
    replicas.put(r.desired(), pods);
    Set<String> delete =
        r.revisions().stream()
            .map(RevisionState::revision)
            .filter(rev -> !replicas.containsKey(rev))
            .collect(Collectors.toSet());
    Plan plan = new Plan(replicas, delete, Phase.Progressing, false, reason, message);
    return new Decision(plan, r.stable(), r.desired(), rejected, null, weight, state);
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
  /**
   * A paused rollout keeps where it stands: a routed one its step (so that resume goes on from it)
   * and its share of traffic, not the share its pods would give. BlueGreen's preview and Shadow's
   * candidate get no client traffic while paused, as before.
   */
  private static Decision paused(RolloutInput r, Input in, Plan plan, String rejected) {
    String desired = r.desired();
    if (in.steps() instanceof Canary c && c.state() != null) {
      CanarySteps.State st = c.state();
      int weight =
          CanarySteps.weightInForce(c.steps(), st, r.replicas(), r.state(desired).readyReplicas());
      return new Decision(plan, r.stable(), desired, rejected, null, weight, st);
    }
    if (in.steps() instanceof BlueGreen bg && bg.state() != null) {
      return new Decision(plan, r.stable(), desired, rejected, null, 0, bg.state());
    }
    if (in.steps() instanceof Shadow sh && sh.state() != null) {
      return new Decision(plan, r.stable(), desired, rejected, null, 0, sh.state());
    }
    return new Decision(plan, r.stable(), desired, rejected, null, weight(r));
  }

  static int weight(RolloutInput r) {
    int desiredReady = r.state(r.desired()).readyReplicas();
    int total = r.revisions().stream().mapToInt(RevisionState::readyReplicas).sum();
    return total == 0 ? 0 : (int) Math.round(100.0 * desiredReady / total);
  }
}
