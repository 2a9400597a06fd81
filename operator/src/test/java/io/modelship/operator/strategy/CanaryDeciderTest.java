package io.modelship.operator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.operator.api.CanaryStep;
import io.modelship.operator.api.Phase;
import io.modelship.operator.api.StrategyType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Canary strategy as the Decider drives it: revisions in, replicas, weight and step out. */
class CanaryDeciderTest {
  static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
  static final List<CanaryStep> STEPS =
      List.of(CanaryStepsTest.weight(50), CanaryStepsTest.analysis(null));

  static Decision decide(
      RevisionState candidate, CanarySteps.State state, Gate gate, Decider.Action action) {
    RevisionState stable = new RevisionState("v1", 2, 2, 2, null);
    RolloutInput in = new RolloutInput("v2", "v1", 2, List.of(stable, candidate), null);
    return Decider.decide(
        new Decider.Input(
            in,
            StrategyType.Canary,
            null,
            null,
            null,
            false,
            action,
            null,
            new Decider.Canary(STEPS, state, T0, gate)));
  }

  @Test
  void theStableKeepsAllItsReplicasWhileTheCandidateGetsItsShare() {
    Decision d = decide(RevisionState.absent("v2"), null, Gate.NONE, Decider.Action.NONE);
    assertThat(d.plan().replicas()).containsExactly(Map.entry("v1", 2), Map.entry("v2", 1));
    assertThat(d.candidateWeight()).isZero();
    assertThat(d.plan().phase()).isEqualTo(Phase.Progressing);
    assertThat(d.plan().reason()).isEqualTo("CanaryStep");
    assertThat(d.canary().step()).isZero();
    assertThat(d.stable()).isEqualTo("v1");
    assertThat(d.candidate()).isEqualTo("v2");

    Decision ready =
        decide(new RevisionState("v2", 1, 1, 1, null), d.canary(), Gate.NONE, Decider.Action.NONE);
    assertThat(ready.candidateWeight()).isEqualTo(50);
    assertThat(ready.canary().step()).isEqualTo(1);
  }

  @Test
  void passingTheLastStepPromotesAndTheCandidateBecomesStableWhenFullyReady() {
    Gate pass = new Gate(Analysis.Outcome.PASS, List.of(), 0, 0);
    CanarySteps.State atAnalysis = new CanarySteps.State(1, T0, 0);
    Decision scaling =
        decide(new RevisionState("v2", 1, 1, 1, null), atAnalysis, pass, Decider.Action.NONE);
    assertThat(scaling.plan().replicas()).containsEntry("v2", 2).containsEntry("v1", 2);
    assertThat(scaling.plan().complete()).isFalse();
    assertThat(scaling.candidateWeight()).isEqualTo(50);

    Decision done =
        decide(new RevisionState("v2", 2, 2, 2, null), atAnalysis, pass, Decider.Action.NONE);
    assertThat(done.plan().complete()).isTrue();
    assertThat(done.stable()).isEqualTo("v2");
    assertThat(done.candidate()).isNull();
    assertThat(done.plan().delete()).containsExactly("v1");
  }

  @Test
  void aFailedAnalysisRollsBackAndRejectsTheCandidate() {
    Gate fail =
        new Gate(Analysis.Outcome.FAIL, List.of("error rate 9 % is above the limit of 1 %"), 0, 0);
    Decision d =
        decide(
            new RevisionState("v2", 1, 1, 1, null),
            new CanarySteps.State(1, T0, 0),
            fail,
            Decider.Action.NONE);
    assertThat(d.plan().phase()).isEqualTo(Phase.RolledBack);
    assertThat(d.rejected()).isEqualTo("v2");
    assertThat(d.degraded().reason()).isEqualTo("AnalysisFailed");
    assertThat(d.degraded().message())
        .isEqualTo(
            "rollout of v2 rolled back: step 2/2: analysis failed: error rate 9 % is above the limit of 1 %");
    assertThat(d.plan().replicas()).containsExactly(Map.entry("v1", 2));
    assertThat(d.plan().delete()).containsExactly("v2");
    assertThat(d.candidateWeight()).isZero();
  }

  @Test
  void abortStillWinsOverTheSteps() {
    Decision d =
        decide(new RevisionState("v2", 1, 1, 1, null), null, Gate.NONE, Decider.Action.ABORT);
    assertThat(d.plan().phase()).isEqualTo(Phase.RolledBack);
    assertThat(d.rejected()).isEqualTo("v2");
  }

  /** A decision with spec.paused: v1 stable with 2 pods, v2 the candidate with {@code pods}. */
  static Decision paused(StrategyType type, int pods, Decider.Steps steps) {
    RevisionState stable = new RevisionState("v1", 2, 2, 2, null);
    RevisionState candidate = new RevisionState("v2", pods, pods, pods, null);
    RolloutInput in = new RolloutInput("v2", "v1", 2, List.of(stable, candidate), null);
    return Decider.decide(
        new Decider.Input(in, type, null, null, null, true, Decider.Action.NONE, null, steps));
  }

  @Test
  void pausingKeepsTheStepAndItsShareSoThatResumeGoesOnFromThere() {
    CanarySteps.State atAnalysis = new CanarySteps.State(1, T0, 0);
    Decision d =
        paused(
            StrategyType.Canary,
            1,
            new Decider.Canary(STEPS, atAnalysis, T0.plusSeconds(60), Gate.NONE));
    assertThat(d.plan().phase()).isEqualTo(Phase.Paused);
    // 50 % as the step says, not the 33 % one pod of three would give.
    assertThat(d.candidateWeight()).isEqualTo(50);
    assertThat(d.canary()).isEqualTo(atAnalysis);
    assertThat(d.plan().replicas()).containsEntry("v1", 2).containsEntry("v2", 1);
  }

  @Test
  void aPausedBlueGreenPreviewGetsNoClientTraffic() {
    CanarySteps.State since = new CanarySteps.State(0, T0, 0);
    Decision d =
        paused(
            StrategyType.BlueGreen,
            2,
            new Decider.BlueGreen(null, null, since, T0.plusSeconds(5), Gate.NONE, null));
    assertThat(d.plan().phase()).isEqualTo(Phase.Paused);
    assertThat(d.candidateWeight()).isZero();
    assertThat(d.canary()).isEqualTo(since);
  }
}
