package io.modelship.operator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlueGreenAndShadowStepsTest {
  static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  static final Gate PASSING = new Gate(Analysis.Outcome.PASS, List.of(), 0, 0);
  static final Gate WAITING =
      new Gate(
          Analysis.Outcome.NO_DATA,
          List.of("waiting for 40 of 100 requests to the candidate"),
          0,
          0);
  static final Gate FAILED =
      new Gate(Analysis.Outcome.FAIL, List.of("error rate 30 % is above the limit of 5 %"), 1, 0);

  static BlueGreenSteps.Result bg(
      int ready, Instant since, Instant now, Integer auto, Gate g, boolean promote) {
    return BlueGreenSteps.next(new BlueGreenSteps.Input(3, ready, since, now, auto, g, promote));
  }

  @Test
  void blueGreenWaitsForTheWholePreviewThenForPromote() {
    BlueGreenSteps.Result partial = bg(2, null, T0, null, Gate.NONE, false);
    assertThat(partial.outcome()).isEqualTo(BlueGreenSteps.Outcome.WAIT);
    assertThat(partial.readySince()).isNull();
    assertThat(partial.message())
        .isEqualTo("preview: waiting for 3 ready candidate pods (2 so far)");

    BlueGreenSteps.Result ready = bg(3, null, T0, null, Gate.NONE, false);
    assertThat(ready.readySince()).isEqualTo(T0);
    assertThat(ready.message())
        .isEqualTo("preview ready; promote with modelship.io/action=promote");
    assertThat(bg(3, T0, T0.plusSeconds(86400), null, Gate.NONE, false).outcome())
        .isEqualTo(BlueGreenSteps.Outcome.WAIT);
    assertThat(bg(3, T0, T0.plusSeconds(5), null, Gate.NONE, true).outcome())
        .isEqualTo(BlueGreenSteps.Outcome.PROMOTE);
  }

  @Test
  void blueGreenAutoPromotionCountsFromFullyReadyAndHonoursTheAnalysis() {
    BlueGreenSteps.Result early = bg(3, T0, T0.plusSeconds(20), 60, Gate.NONE, false);
    assertThat(early.outcome()).isEqualTo(BlueGreenSteps.Outcome.WAIT);
    assertThat(early.requeueAfter()).isEqualTo(Duration.ofSeconds(40));
    assertThat(early.message())
        .isEqualTo("preview ready; promoted automatically at 2026-11-25T10:01:00Z");
    assertThat(bg(3, T0, T0.plusSeconds(60), 60, Gate.NONE, false).outcome())
        .isEqualTo(BlueGreenSteps.Outcome.PROMOTE);
    BlueGreenSteps.Result gated = bg(3, T0, T0.plusSeconds(60), 60, WAITING, false);
    assertThat(gated.outcome()).isEqualTo(BlueGreenSteps.Outcome.WAIT);
    assertThat(gated.message())
        .isEqualTo(
            "preview ready; automatic promotion waits for a passing analysis: waiting for 40 of 100 requests to the candidate");
    assertThat(bg(3, T0, T0.plusSeconds(60), 60, PASSING, false).outcome())
        .isEqualTo(BlueGreenSteps.Outcome.PROMOTE);
    BlueGreenSteps.Result failed = bg(3, T0, T0.plusSeconds(10), 60, FAILED, false);
    assertThat(failed.outcome()).isEqualTo(BlueGreenSteps.Outcome.ROLLBACK);
    assertThat(failed.message())
        .isEqualTo("analysis of the preview failed: error rate 30 % is above the limit of 5 %");
  }

  @Test
  void theOldRevisionStaysForTheScaleDownDelay() {
    assertThat(BlueGreenSteps.scaleDownAt(T0, null)).isEqualTo(T0.plusSeconds(30));
    assertThat(BlueGreenSteps.scaleDownAt(T0, 0)).isEqualTo(T0);
    assertThat(BlueGreenSteps.scaleDownAt(T0, 600)).isEqualTo(T0.plusSeconds(600));
  }

  static ShadowSteps.Result shadow(int ready, Instant since, Instant now, Gate g, boolean promote) {
    return ShadowSteps.next(
        new ShadowSteps.Input(4, ready, 50, Duration.ofMinutes(5), since, now, g, promote));
  }

  @Test
  void shadowScalesForTheMirroredShareAndMirrorsOnlyOnceReady() {
    ShadowSteps.Result wait = shadow(1, null, T0, Gate.NONE, false);
    assertThat(wait.candidateReplicas()).isEqualTo(2);
    assertThat(wait.mirrorPercent()).isZero();
    assertThat(wait.mirroringSince()).isNull();
    ShadowSteps.Result mirroring = shadow(2, null, T0, Gate.NONE, false);
    assertThat(mirroring.mirrorPercent()).isEqualTo(50);
    assertThat(mirroring.mirroringSince()).isEqualTo(T0);
    assertThat(mirroring.requeueAfter()).isEqualTo(Duration.ofMinutes(5));
    assertThat(mirroring.message())
        .isEqualTo("mirroring 50 % of requests until 2026-11-25T10:05:00Z");
  }

  @Test
  void shadowPromotesAfterItsDurationOnlyOnAPassingAnalysis() {
    Instant end = T0.plus(Duration.ofMinutes(5));
    assertThat(shadow(2, T0, end, PASSING, false).outcome()).isEqualTo(ShadowSteps.Outcome.PROMOTE);
    assertThat(shadow(2, T0, end, Gate.NONE, false).outcome())
        .isEqualTo(ShadowSteps.Outcome.PROMOTE);
    ShadowSteps.Result waiting = shadow(2, T0, end, WAITING, false);
    assertThat(waiting.outcome()).isEqualTo(ShadowSteps.Outcome.WAIT);
    assertThat(waiting.mirrorPercent()).isEqualTo(50);
    ShadowSteps.Result failed = shadow(2, T0, T0.plusSeconds(30), FAILED, false);
    assertThat(failed.outcome()).isEqualTo(ShadowSteps.Outcome.ROLLBACK);
    assertThat(failed.mirrorPercent()).isZero();
    assertThat(shadow(2, T0, T0.plusSeconds(30), Gate.NONE, true).outcome())
        .isEqualTo(ShadowSteps.Outcome.PROMOTE);
  }

  @Test
  void aFailureWithinTheLimitIsNotARollback() {
    Gate once = new Gate(Analysis.Outcome.FAIL, List.of("x"), 1, 1);
    assertThat(once.exhausted()).isFalse();
    assertThat(shadow(2, T0, T0.plusSeconds(30), once, false).outcome())
        .isEqualTo(ShadowSteps.Outcome.WAIT);
  }
}
