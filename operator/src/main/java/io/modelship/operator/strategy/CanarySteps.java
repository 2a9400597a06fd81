package io.modelship.operator.strategy;

import io.modelship.operator.api.CanaryStep;
import io.modelship.operator.api.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The Canary step machine: where a rollout stands in {@code spec.strategy.canary.steps}, and what
 * happens next. Pure: the step index, when it started and the failed analyses so far live in
 * status; the clock, the candidate's ready pods, the analysis verdict and a promote action come in;
 * so an operator restarted at any moment continues where the last one was.
 *
 * <ul>
 *   <li>{@code setWeight: N}: the candidate is scaled to serve N % (at least one pod), and the
 *       traffic moves only once those pods are ready, so the candidate never gets a share it cannot
 *       answer;
 *   <li>{@code pause: {duration}}: waits that long; without a duration, until promoted;
 *   <li>{@code analysis: {duration}}: waits for a passing verdict (for the whole duration, when one
 *       is given); a failure beyond {@code failureLimit} rolls back.
 * </ul>
 *
 * After the last step the candidate is promoted. {@code promote} moves past a pause without a
 * duration, and anywhere else promotes at once. A share set by hand ({@code
 * modelship.io/set-weight}, taken only at a pause step) replaces the last setWeight's once the
 * candidate has the pods for it, and holds until the next setWeight step has moved the traffic.
 */
public final class CanarySteps {

  private CanarySteps() {}

  /**
   * Where the rollout stands, as status records it.
   *
   * @param manualWeight the candidate's share set by hand ({@code modelship.io/set-weight}), or
   *     null: it holds until the next setWeight step has moved the traffic
   */
  public record State(int step, Instant stepStartedAt, int analysisFailures, Integer manualWeight) {
    public State(int step, Instant stepStartedAt, int analysisFailures) {
      this(step, stepStartedAt, analysisFailures, null);
    }

    public static State start(Instant now) {
      return new State(0, now, 0);
    }
  }

  /** What to do now. */
  public enum Outcome {
    /** Stay on this step (until requeueAfter, or the next event). */
    WAIT,
    /** Every step is done, or promote was asked: the candidate replaces the stable revision. */
    PROMOTE,
    /** The analysis failed: traffic goes back to the stable revision. */
    ROLLBACK
  }

  /**
   * @param replicas the spec's replica count (the stable keeps all of them during a canary)
   * @param candidateReady ready pods of the candidate
   * @param analysis the verdict of the current analysis step's latest window (after onNoData), or
   *     null when none has been evaluated yet
   * @param failureLimit failed analyses tolerated before a rollback
   * @param analysisReasons why the latest analysis failed or waits (for the message)
   * @param setWeight a share asked for by hand now ({@code modelship.io/set-weight}), or null; it
   *     is taken only at a pause step (see {@link #setWeightRefusal})
   */
  public record Input(
      List<CanaryStep> steps,
      State state,
      Instant now,
      int replicas,
      int candidateReady,
      Analysis.Outcome analysis,
      List<String> analysisReasons,
      int failureLimit,
      boolean promote,
      Integer setWeight) {
    public Input(
        List<CanaryStep> steps,
        State state,
        Instant now,
        int replicas,
        int candidateReady,
        Analysis.Outcome analysis,
        List<String> analysisReasons,
        int failureLimit,
        boolean promote) {
      this(
          steps,
          state,
          now,
          replicas,
          candidateReady,
          analysis,
          analysisReasons,
          failureLimit,
          promote,
          null);
    }
  }

  /**
   * @param weight percent of client traffic the candidate gets now
   * @param candidateReplicas pods the candidate should have
   * @param requeueAfter when to look again without an event, or null
   */
  public record Result(
      Outcome outcome,
      State state,
      int weight,
      int candidateReplicas,
      String message,
      Duration requeueAfter) {}

  /** Runs the machine from the recorded state through every step that is done already. */
  public static Result next(Input in) {
    State s = in.state();
    if (in.setWeight() != null
        && s.step() < in.steps().size()
        && in.steps().get(s.step()).pause != null) {
      s = new State(s.step(), s.stepStartedAt(), s.analysisFailures(), in.setWeight());
    }
    // A promote is used up by the step it moves past; the steps after it run as usual.
    boolean promote = in.promote();
    for (int guard = 0; guard <= in.steps().size() + 1; guard++) {
      Step r = step(in, s, promote);
      if (!r.advance()) {
        return r.result();
      }
      // A share set by hand holds until the next setWeight step has moved the traffic.
      Integer carried = in.steps().get(s.step()).setWeight != null ? null : s.manualWeight();
      s = new State(s.step() + 1, in.now(), 0, carried);
      promote = false;
    }
    throw new IllegalStateException("canary steps did not settle");
  }

  /** One step's answer: move on to the next step, or this result. */
  private record Step(boolean advance, Result result) {
    static final Step ADVANCE = new Step(true, null);

    static Step done(Result r) {
      return new Step(false, r);
    }
  }

  private static Step step(Input in, State s, boolean promote) {
    List<CanaryStep> steps = in.steps();
    int n = steps.size();
    Share share = share(in, s);
    int weight = share.weight();
    int pods = share.pods();
    if (s.step() >= n) {
      return Step.done(
          new Result(Outcome.PROMOTE, s, weight, in.replicas(), "all " + n + " steps done", null));
    }
    CanaryStep cur = steps.get(s.step());
    String where = "step " + (s.step() + 1) + "/" + n + ": ";
    if (promote) {
      if (cur.pause != null && cur.pause.duration == null) {
        return Step.ADVANCE;
      }
      return Step.done(
          new Result(
              Outcome.PROMOTE,
              s,
              weight,
              in.replicas(),
              where + "promoted by modelship.io/action=promote",
              null));
    }
    if (cur.setWeight != null) {
      int target = cur.setWeight;
      int needed = podsFor(in.replicas(), target);
      if (in.candidateReady() >= needed) {
        return Step.ADVANCE;
      }
      return Step.done(
          new Result(
              Outcome.WAIT,
              s,
              weight,
              needed,
              where
                  + "setWeight "
                  + target
                  + ": waiting for "
                  + needed
                  + " ready candidate pods ("
                  + in.candidateReady()
                  + " so far)",
              null));
    }
    if (cur.pause != null) {
      Duration length =
          cur.pause.duration == null ? null : Durations.parse(cur.pause.duration, Duration.ZERO);
      Duration left = length == null ? null : remaining(s, in.now(), length);
      if (left != null && left.isZero()) {
        return Step.ADVANCE;
      }
      String held =
          length == null
              ? " until promoted (modelship.io/action=promote)"
              : " until " + Rollouts.at(s.stepStartedAt().plus(length));
      return Step.done(
          new Result(
              Outcome.WAIT,
              s,
              weight,
              pods,
              where + share.describe(in) + held,
              share.waiting() ? Duration.ofSeconds(2) : left));
    }
    // analysis
    Duration length = Durations.parse(cur.analysis.duration, null);
    Analysis.Outcome verdict = in.analysis();
    String why =
        in.analysisReasons() == null || in.analysisReasons().isEmpty()
            ? ""
            : ": " + String.join("; ", in.analysisReasons());
    if (verdict == Analysis.Outcome.FAIL) {
      int failures = s.analysisFailures() + 1;
      if (failures > in.failureLimit()) {
        return Step.done(
            new Result(
                Outcome.ROLLBACK,
                new State(s.step(), s.stepStartedAt(), failures),
                0,
                0,
                where + "analysis failed" + why,
                null));
      }
      return Step.done(
          new Result(
              Outcome.WAIT,
              new State(s.step(), s.stepStartedAt(), failures),
              weight,
              pods,
              where
                  + "analysis failed "
                  + failures
                  + " of "
                  + (in.failureLimit() + 1)
                  + " times allowed"
                  + why,
              null));
    }
    if (verdict == Analysis.Outcome.PASS) {
      Duration left = length == null ? Duration.ZERO : remaining(s, in.now(), length);
      if (left.isZero()) {
        return Step.ADVANCE;
      }
      return Step.done(
          new Result(
              Outcome.WAIT,
              s,
              weight,
              pods,
              where + "analysis passing until " + Rollouts.at(s.stepStartedAt().plus(length)),
              left));
    }
    return Step.done(
        new Result(
            Outcome.WAIT,
            s,
            weight,
            pods,
            where
                + "analysis at "
                + weight
                + " %"
                + (why.isEmpty() ? ": waiting for the first verdict" : why),
            null));
  }

  /**
   * Why a share set by hand cannot be taken now, or null when it can: only a Canary rollout that
   * waits at a pause step takes one, and only a whole percent from 0 to 100.
   *
   * @param steps the Canary's steps
   * @param currentStep the step status records, or null when no Canary rollout runs
   */
  public static String setWeightRefusal(List<CanaryStep> steps, Integer currentStep, int weight) {
    if (weight < 0 || weight > 100) {
      return "weight " + weight + " is not a percent from 0 to 100";
    }
    if (currentStep == null || steps == null || currentStep >= steps.size()) {
      return "no Canary rollout is waiting at a step";
    }
    CanaryStep cur = steps.get(currentStep);
    if (cur.pause == null) {
      return "step "
          + (currentStep + 1)
          + "/"
          + steps.size()
          + " is "
          + (cur.setWeight != null ? "a setWeight" : "an analysis")
          + " step; a weight can be set only while the rollout waits at a pause step";
    }
    return null;
  }

  /**
   * The candidate's share in force, and the pods it needs: the last setWeight's, or the share set
   * by hand once the candidate has the pods for it (until then the previous share stays, and the
   * candidate is scaled up).
   *
   * @param waiting a share set by hand waits for its pods
   */
  private record Share(int weight, int pods, Integer manual, boolean waiting) {
    String describe(Input in) {
      if (manual == null) {
        return "paused at " + weight + " %";
      }
      if (!waiting) {
        return "paused at " + weight + " % (set by hand)";
      }
      return "set by hand to "
          + manual
          + " %: waiting for "
          + podsFor(in.replicas(), manual)
          + " ready candidate pods ("
          + in.candidateReady()
          + " so far), at "
          + weight
          + " % meanwhile";
    }
  }

  private static Share share(Input in, State s) {
    return share(in.steps(), s, in.replicas(), in.candidateReady());
  }

  private static Share share(List<CanaryStep> steps, State s, int replicas, int candidateReady) {
    int base = weightBefore(steps, s.step());
    Integer manual = s.manualWeight();
    if (manual == null) {
      return new Share(base, podsFor(replicas, base), null, false);
    }
    int needed = podsFor(replicas, manual);
    if (candidateReady >= needed) {
      return new Share(manual, needed, manual, false);
    }
    return new Share(base, Math.max(needed, podsFor(replicas, base)), manual, true);
  }

  /** The candidate's share of traffic where the rollout stands, without moving it on. */
  public static int weightInForce(
      List<CanaryStep> steps, State s, int replicas, int candidateReady) {
    return share(steps, s, replicas, candidateReady).weight();
  }

  /** The weight in force on step i: the last setWeight before it (0 before any). */
  static int weightBefore(List<CanaryStep> steps, int i) {
    int w = 0;
    for (int k = 0; k < i && k < steps.size(); k++) {
      if (steps.get(k).setWeight != null) {
        w = steps.get(k).setWeight;
      }
    }
    return w;
  }

  /** Pods the candidate needs to serve {@code weight} % of what {@code replicas} serve. */
  static int podsFor(int replicas, int weight) {
    if (weight <= 0) {
      return 0;
    }
    return Math.max(1, (int) Math.ceil(replicas * weight / 100.0));
  }

  private static Duration remaining(State s, Instant now, Duration length) {
    Duration left = Duration.between(now, s.stepStartedAt().plus(length));
    return left.isNegative() ? Duration.ZERO : left;
  }
}
