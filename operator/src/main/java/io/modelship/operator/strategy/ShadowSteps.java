package io.modelship.operator.strategy;

import java.time.Duration;
import java.time.Instant;

/**
 * Shadow (pure): the candidate gets a copy of {@code mirrorPercent} % of the stable's requests for
 * {@code duration}, and users only ever get the stable's answers. The candidate is scaled for the
 * mirrored share; mirroring starts once those pods are ready. After the duration it is promoted
 * when the analysis passes (the agreement gate above all); a failed analysis beyond its limit rolls
 * back at any time. With no analysis in the spec it is promoted when the duration ends.
 */
public final class ShadowSteps {
  /** Default of mirrorPercent. */
  public static final int DEFAULT_MIRROR_PERCENT = 100;

  /** Default of duration. */
  public static final Duration DEFAULT_DURATION = Duration.ofMinutes(5);

  private ShadowSteps() {}

  public enum Outcome {
    WAIT,
    PROMOTE,
    ROLLBACK
  }

  /**
   * @param mirroringSince when mirroring began (status), or null before
   */
  public record Input(
      int replicas,
      int candidateReady,
      int mirrorPercent,
      Duration duration,
      Instant mirroringSince,
      Instant now,
      Gate gate,
      boolean promote) {}

  /**
   * @param mirrorPercent percent of the stable's requests copied to the candidate now
   * @param candidateReplicas pods the candidate should have
   */
  public record Result(
      Outcome outcome,
      Instant mirroringSince,
      int mirrorPercent,
      int candidateReplicas,
      String message,
      Duration requeueAfter) {}

  public static Result next(Input in) {
    int pods = CanarySteps.podsFor(in.replicas(), in.mirrorPercent());
    if (in.gate().exhausted()) {
      return new Result(
          Outcome.ROLLBACK,
          in.mirroringSince(),
          0,
          0,
          "shadow analysis failed" + in.gate().why(),
          null);
    }
    if (in.promote()) {
      return new Result(
          Outcome.PROMOTE,
          in.mirroringSince(),
          0,
          in.replicas(),
          "promoted by modelship.io/action=promote",
          null);
    }
    if (in.candidateReady() < pods) {
      return new Result(
          Outcome.WAIT,
          null,
          0,
          pods,
          "shadow: waiting for "
              + pods
              + " ready candidate pods ("
              + in.candidateReady()
              + " so far)",
          null);
    }
    Instant since = in.mirroringSince() == null ? in.now() : in.mirroringSince();
    Duration left = Duration.between(in.now(), since.plus(in.duration()));
    if (left.compareTo(Duration.ZERO) > 0) {
      return new Result(
          Outcome.WAIT,
          since,
          in.mirrorPercent(),
          pods,
          "mirroring "
              + in.mirrorPercent()
              + " % of requests until "
              + Rollouts.at(since.plus(in.duration()))
              + note(in.gate()),
          left);
    }
    if (in.gate().verdict() == null || in.gate().verdict() == Analysis.Outcome.PASS) {
      return new Result(
          Outcome.PROMOTE,
          since,
          in.mirrorPercent(),
          in.replicas(),
          "shadow done after " + seconds(in.duration()) + note(in.gate()),
          null);
    }
    return new Result(
        Outcome.WAIT,
        since,
        in.mirrorPercent(),
        pods,
        "shadow duration over; promotion waits for a passing analysis" + in.gate().why(),
        null);
  }

  private static String note(Gate g) {
    if (g.verdict() == null) {
      return "";
    }
    return g.verdict() == Analysis.Outcome.PASS
        ? " (analysis passing)"
        : " (analysis" + g.why() + ")";
  }

  private static String seconds(Duration d) {
    return (d.toMillis() + 999) / 1000 + " s";
  }
}
