package io.modelship.operator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.operator.api.Phase;
import io.modelship.operator.api.StrategyType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The BlueGreen strategy as the Decider drives it. */
class BlueGreenDeciderTest {
  static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  static final RevisionState V1 = new RevisionState("v1", 2, 2, 2, null);
  static final RevisionState V2_READY = new RevisionState("v2", 2, 2, 2, null);

  static Decision decide(
      String desired,
      String stable,
      List<RevisionState> revisions,
      Decider.Action action,
      Decider.BlueGreen bg) {
    RolloutInput in = new RolloutInput(desired, stable, 2, revisions, null);
    return Decider.decide(
        new Decider.Input(in, StrategyType.BlueGreen, null, null, null, false, action, null, bg));
  }

  static Decider.BlueGreen bg(
      Integer auto, CanarySteps.State state, Instant now, Gate gate, Instant scaleDownAt) {
    return new Decider.BlueGreen(auto, 60, state, now, gate, scaleDownAt);
  }

  static Decision preview(
      RevisionState candidate, CanarySteps.State state, Instant now, Integer auto, Gate gate) {
    return decide(
        "v2", "v1", List.of(V1, candidate), Decider.Action.NONE, bg(auto, state, now, gate, null));
  }

  @Test
  void theCandidateRunsAtFullSizeWithNoClientTrafficUntilPromoted() {
    Decision starting = preview(RevisionState.absent("v2"), null, T0, null, Gate.NONE);
    assertThat(starting.plan().replicas()).containsExactly(Map.entry("v1", 2), Map.entry("v2", 2));
    assertThat(starting.candidateWeight()).isZero();
    assertThat(starting.canary()).isNull();
    assertThat(starting.plan().phase()).isEqualTo(Phase.Progressing);
    assertThat(starting.plan().message())
        .isEqualTo("preview: waiting for 2 ready candidate pods (0 so far)");

    Decision ready = preview(V2_READY, null, T0, null, Gate.NONE);
    assertThat(ready.candidate()).isEqualTo("v2");
    assertThat(ready.candidateWeight()).isZero();
    assertThat(ready.canary().stepStartedAt()).isEqualTo(T0);
    assertThat(ready.plan().reason()).isEqualTo("Preview");
    assertThat(ready.plan().message())
        .isEqualTo("preview ready; promote with modelship.io/action=promote");

    // Without autoPromotionSeconds it waits however long it takes.
    Decision later =
        preview(V2_READY, new CanarySteps.State(0, T0, 0), T0.plusSeconds(86400), null, Gate.NONE);
    assertThat(later.stable()).isEqualTo("v1");
    assertThat(later.canary().stepStartedAt()).isEqualTo(T0);
  }

  @Test
  void promoteSwitchesEveryClientAtOnceAndKeepsThePreviousRevisionForTheDelay() {
    Decision switched =
        decide(
            "v2",
            "v1",
            List.of(V1, V2_READY),
            Decider.Action.PROMOTE,
            bg(null, new CanarySteps.State(0, T0, 0), T0.plusSeconds(5), Gate.NONE, null));
    assertThat(switched.stable()).isEqualTo("v2");
    assertThat(switched.candidate()).isNull();
    assertThat(switched.candidateWeight()).isZero();
    assertThat(switched.plan().complete()).isTrue();
    assertThat(switched.plan().replicas()).containsExactly(Map.entry("v2", 2), Map.entry("v1", 2));
    assertThat(switched.plan().delete()).isEmpty();
    assertThat(switched.scaleDownAt()).isEqualTo(T0.plusSeconds(65));
    assertThat(switched.plan().message())
        .isEqualTo(
            "revision v2 serves all clients: promoted by modelship.io/action=promote; the"
                + " previous revision is kept until 2026-11-25T10:01:05Z");

    // Afterwards the spec's revision is stable; the previous one stays until scaleDownAt.
    Decision kept =
        decide(
            "v2",
            "v2",
            List.of(V2_READY, V1),
            Decider.Action.NONE,
            bg(null, null, T0.plusSeconds(30), Gate.NONE, T0.plusSeconds(65)));
    assertThat(kept.plan().phase()).isEqualTo(Phase.Healthy);
    assertThat(kept.plan().replicas()).containsExactly(Map.entry("v2", 2), Map.entry("v1", 2));
    assertThat(kept.plan().delete()).isEmpty();
    assertThat(kept.scaleDownAt()).isEqualTo(T0.plusSeconds(65));
    // Later, the same words: the status is not rewritten as the clock moves.
    assertThat(kept.plan().message())
        .endsWith("the previous revision is kept until 2026-11-25T10:01:05Z");

    Decision gone =
        decide(
            "v2",
            "v2",
            List.of(V2_READY, V1),
            Decider.Action.NONE,
            bg(null, null, T0.plusSeconds(65), Gate.NONE, T0.plusSeconds(65)));
    assertThat(gone.plan().replicas()).containsExactly(Map.entry("v2", 2));
    assertThat(gone.plan().delete()).containsExactly("v1");
    assertThat(gone.scaleDownAt()).isNull();
  }

  @Test
  void autoPromotionWaitsForItsTimeAndForAPassingAnalysis() {
    CanarySteps.State since = new CanarySteps.State(0, T0, 0);
    Gate noData = new Gate(Analysis.Outcome.NO_DATA, List.of("12 samples of 50"), 0, 0);
    Decision early = preview(V2_READY, since, T0.plusSeconds(10), 30, noData);
    assertThat(early.stable()).isEqualTo("v1");
    assertThat(early.plan().message())
        .isEqualTo(
            "preview ready; promoted automatically at 2026-11-25T10:00:30Z (analysis: 12 samples of 50)");

    Decision waiting = preview(V2_READY, since, T0.plusSeconds(31), 30, noData);
    assertThat(waiting.stable()).isEqualTo("v1");
    assertThat(waiting.plan().message())
        .isEqualTo(
            "preview ready; automatic promotion waits for a passing analysis: 12 samples of 50");

    Decision promoted =
        preview(
            V2_READY,
            since,
            T0.plusSeconds(40),
            30,
            new Gate(Analysis.Outcome.PASS, List.of(), 0, 0));
    assertThat(promoted.stable()).isEqualTo("v2");
    assertThat(promoted.scaleDownAt()).isEqualTo(T0.plusSeconds(100));
  }

  @Test
  void aFailedAnalysisOfThePreviewRollsBackAndRejectsTheCandidate() {
    Gate failed = new Gate(Analysis.Outcome.FAIL, List.of("error rate 30 % is above 5 %"), 1, 0);
    Decision d = preview(V2_READY, new CanarySteps.State(0, T0, 0), T0.plusSeconds(5), 30, failed);
    assertThat(d.plan().phase()).isEqualTo(Phase.RolledBack);
    assertThat(d.rejected()).isEqualTo("v2");
    assertThat(d.stable()).isEqualTo("v1");
    assertThat(d.plan().replicas()).containsExactly(Map.entry("v1", 2));
    assertThat(d.plan().delete()).containsExactly("v2");
    assertThat(d.degraded().message())
        .isEqualTo(
            "rollout of v2 rolled back: analysis of the preview failed: error rate 30 % is above"
                + " 5 %");

    // Within the failure limit it only waits, and counts the failure.
    Gate tolerated = new Gate(Analysis.Outcome.FAIL, List.of("error rate 30 % is above 5 %"), 1, 2);
    Decision waits =
        preview(V2_READY, new CanarySteps.State(0, T0, 0), T0.plusSeconds(5), null, tolerated);
    assertThat(waits.stable()).isEqualTo("v1");
    assertThat(waits.canary().analysisFailures()).isEqualTo(1);
  }

  @Test
  void abortBeforeThePromotionSendsNothingToTheCandidateAndRemovesIt() {
    Decision d =
        decide(
            "v2",
            "v1",
            List.of(V1, V2_READY),
            Decider.Action.ABORT,
            bg(null, new CanarySteps.State(0, T0, 0), T0, Gate.NONE, null));
    assertThat(d.plan().phase()).isEqualTo(Phase.RolledBack);
    assertThat(d.rejected()).isEqualTo("v2");
    assertThat(d.plan().delete()).containsExactly("v2");
  }
}
