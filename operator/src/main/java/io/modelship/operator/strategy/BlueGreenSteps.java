package io.modelship.operator.strategy;

import java.time.Duration;
import java.time.Instant;

/**
 * BlueGreen (pure): the candidate runs at full size behind the {@code <name>-preview} Service while
 * clients keep the stable revision; it is promoted by {@code modelship.io/action=promote} or, with
 * {@code autoPromotionSeconds}, that long after it became fully ready (and only on a passing
 * analysis, when the spec sets one). A failed analysis beyond its limit rolls back. After the
 * switch the old revision stays at full size for {@code scaleDownDelaySeconds}, so clients that
 * still hold connections to it, or a quick abort, find it there.
 */
public final class BlueGreenSteps {
  /** Default of scaleDownDelaySeconds. */
  public static final int DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;

  private BlueGreenSteps() {}

  public enum Outcome {
    WAIT,
    PROMOTE,
    ROLLBACK
  }

  /**
   * @param readySince when the candidate was first seen fully ready (status), or null
   * @param autoPromotionSeconds null: promote only on request
   */
  public record Input(
      int replicas,
      int candidateReady,
      Instant readySince,
      Instant now,
      Integer autoPromotionSeconds,
      Gate gate,
      boolean promote) {}

  /** The decision; the candidate always has all replicas and no client traffic before PROMOTE. */
  public record Result(
      Outcome outcome, Instant readySince, String message, Duration requeueAfter) {}

  public static Result next(Input in) {
    if (in.gate().exhausted()) {
      return new Result(
          Outcome.ROLLBACK,
          in.readySince(),
          "analysis of the preview failed" + in.gate().why(),
          null);
    }
    if (in.candidateReady() < in.replicas()) {
      return new Result(
          Outcome.WAIT,
          null,
          "preview: waiting for "
              + in.replicas()
              + " ready candidate pods ("
              + in.candidateReady()
              + " so far)",
          null);
    }
    Instant since = in.readySince() == null ? in.now() : in.readySince();
    if (in.promote()) {
      return new Result(Outcome.PROMOTE, since, "promoted by modelship.io/action=promote", null);
    }
    if (in.autoPromotionSeconds() == null) {
      return new Result(
          Outcome.WAIT,
          since,
          "preview ready; promote with modelship.io/action=promote" + gateNote(in.gate()),
          null);
    }
    Duration left = Duration.between(in.now(), since.plusSeconds(in.autoPromotionSeconds()));
    if (left.compareTo(Duration.ZERO) > 0) {
      return new Result(
          Outcome.WAIT,
          since,
          "preview ready; promoted automatically at "
              + Rollouts.at(since.plusSeconds(in.autoPromotionSeconds()))
              + gateNote(in.gate()),
          left);
    }
    if (in.gate().verdict() != null && in.gate().verdict() != Analysis.Outcome.PASS) {
      return new Result(
          Outcome.WAIT,
          since,
          "preview ready; automatic promotion waits for a passing analysis" + in.gate().why(),
          null);
    }
    return new Result(
        Outcome.PROMOTE,
        since,
        "promoted automatically after " + in.autoPromotionSeconds() + " s",
        null);
  }

  private static String gateNote(Gate g) {
    if (g.verdict() == null) {
      return "";
    }
    return g.verdict() == Analysis.Outcome.PASS
        ? " (analysis passing)"
        : " (analysis" + g.why() + ")";
  }

  /** When the previous revision may go after a switch at {@code switchedAt}. */
  public static Instant scaleDownAt(Instant switchedAt, Integer scaleDownDelaySeconds) {
    return switchedAt.plusSeconds(
        scaleDownDelaySeconds == null ? DEFAULT_SCALE_DOWN_DELAY_SECONDS : scaleDownDelaySeconds);
  }
}
