package io.modelship.operator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.operator.api.Phase;
import io.modelship.operator.api.StrategyType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Shadow strategy as the Decider drives it. */
class ShadowDeciderTest {
  static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  static Decision decide(RevisionState candidate, CanarySteps.State state, Instant now, Gate gate) {
    RevisionState stable = new RevisionState("v1", 2, 2, 2, null);
    RolloutInput in = new RolloutInput("v2", "v1", 2, List.of(stable, candidate), null);
    return Decider.decide(
        new Decider.Input(
            in,
            StrategyType.Shadow,
            null,
            null,
            null,
            false,
            Decider.Action.NONE,
            null,
            new Decider.Shadow(100, Duration.ofSeconds(20), state, now, gate)));
  }

  @Test
  void clientsKeepTheStableWhileTheCandidateIsScaledAndThenMirrored() {
    Decision starting = decide(RevisionState.absent("v2"), null, T0, Gate.NONE);
    assertThat(starting.plan().replicas()).containsExactly(Map.entry("v1", 2), Map.entry("v2", 2));
    assertThat(starting.candidateWeight()).isZero();
    assertThat(starting.canary()).isNull();
    assertThat(starting.plan().reason()).isEqualTo("Shadowing");

    Decision mirroring = decide(new RevisionState("v2", 2, 2, 2, null), null, T0, Gate.NONE);
    assertThat(mirroring.canary().stepStartedAt()).isEqualTo(T0);
    assertThat(mirroring.plan().message())
        .isEqualTo("mirroring 100 % of requests until 2026-11-25T10:00:20Z");
    assertThat(mirroring.candidateWeight()).isZero();
  }

  @Test
  void afterTheDurationAPassingAnalysisPromotesAndAFailingOneRollsBack() {
    CanarySteps.State since = new CanarySteps.State(0, T0, 0);
    RevisionState ready = new RevisionState("v2", 2, 2, 2, null);
    Decision done =
        decide(ready, since, T0.plusSeconds(20), new Gate(Analysis.Outcome.PASS, List.of(), 0, 0));
    assertThat(done.plan().complete()).isTrue();
    assertThat(done.stable()).isEqualTo("v2");

    Decision failed =
        decide(
            ready,
            since,
            T0.plusSeconds(5),
            new Gate(
                Analysis.Outcome.FAIL,
                List.of("agreement with the stable revision 12 % is below the minimum of 90 %"),
                1,
                0));
    assertThat(failed.plan().phase()).isEqualTo(Phase.RolledBack);
    assertThat(failed.rejected()).isEqualTo("v2");
    assertThat(failed.degraded().message())
        .isEqualTo(
            "rollout of v2 rolled back: shadow analysis failed: agreement with the stable revision 12 % is below the minimum of 90 %");
  }
}
