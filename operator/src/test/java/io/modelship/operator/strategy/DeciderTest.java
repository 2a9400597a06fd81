package io.modelship.operator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.operator.api.Phase;
import io.modelship.operator.api.StrategyType;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeciderTest {
  static final RevisionState A = new RevisionState("a", 2, 2, 2, null);
  static final RevisionState B = new RevisionState("b", 1, 0, 1, null);
  static final RolloutInput UPDATING = new RolloutInput("b", "a", 2, List.of(A, B), null);

  static Decision decide(
      RolloutInput in,
      String rejected,
      Failure blocked,
      Failure failure,
      boolean paused,
      Decider.Action action) {
    return Decider.decide(
        new Decider.Input(
            in, StrategyType.RollingUpdate, rejected, blocked, failure, paused, action, null));
  }

  @Test
  void failingCandidateIsRolledBackAndRejected() {
    Failure f = new Failure("ModelFetchFailed", "sha256 mismatch");
    Decision d = decide(UPDATING, null, null, f, false, Decider.Action.NONE);
    assertThat(d.plan().phase()).isEqualTo(Phase.RolledBack);
    assertThat(d.plan().replicas()).containsExactly(java.util.Map.entry("a", 2));
    assertThat(d.plan().delete()).containsExactly("b");
    assertThat(d.rejected()).isEqualTo("b");
    assertThat(d.stable()).isEqualTo("a");
    assertThat(d.degraded().reason()).isEqualTo("ModelFetchFailed");
    assertThat(d.plan().message()).contains("sha256 mismatch", "revision a keeps serving");
  }

  @Test
  void rejectedRevisionIsNotRetriedUntilTheSpecChangesOrRetryIsAsked() {
    Decision d = decide(UPDATING, "b", null, null, false, Decider.Action.NONE);
    assertThat(d.plan().phase()).isEqualTo(Phase.RolledBack);
    assertThat(d.plan().delete()).containsExactly("b");
    assertThat(d.degraded().reason()).isEqualTo("RevisionRejected");

    Decision retried = decide(UPDATING, "b", null, null, false, Decider.Action.RETRY);
    assertThat(retried.rejected()).isNull();
    assertThat(retried.candidate()).isEqualTo("b");
    assertThat(retried.plan().phase()).isEqualTo(Phase.Progressing);

    RolloutInput newer = new RolloutInput("c", "a", 2, List.of(A), null);
    assertThat(decide(newer, "b", null, null, false, Decider.Action.NONE).candidate())
        .isEqualTo("c");
  }

  @Test
  void blockedRolloutKeepsStableServingAndSaysWhy() {
    Failure missing = new Failure("ModelSourceMissing", "ConfigMap iris-v2 not found");
    Decision d = decide(UPDATING, null, missing, null, false, Decider.Action.NONE);
    assertThat(d.plan().phase()).isEqualTo(Phase.Degraded);
    assertThat(d.plan().replicas()).containsEntry("a", 2);
    assertThat(d.plan().delete()).containsExactly("b");
    assertThat(d.rejected()).isNull();
  }

  @Test
  void blockedFirstRevisionCreatesNothing() {
    RolloutInput first = new RolloutInput("a", null, 2, List.of(), null);
    Decision d =
        decide(first, null, new Failure("SecretMissing", "x"), null, false, Decider.Action.NONE);
    assertThat(d.plan().replicas()).isEmpty();
    assertThat(d.plan().phase()).isEqualTo(Phase.Degraded);
    assertThat(d.plan().message()).contains("nothing serves yet");
  }

  @Test
  void abortReturnsToStable() {
    Decision d = decide(UPDATING, null, null, null, false, Decider.Action.ABORT);
    assertThat(d.plan().phase()).isEqualTo(Phase.RolledBack);
    assertThat(d.rejected()).isEqualTo("b");
    assertThat(d.degraded().reason()).isEqualTo("Aborted");
  }

  @Test
  void pausedRolloutFreezesWhereItStands() {
    Decision d = decide(UPDATING, null, null, null, true, Decider.Action.NONE);
    assertThat(d.plan().phase()).isEqualTo(Phase.Paused);
    assertThat(d.plan().replicas()).containsEntry("a", 2).containsEntry("b", 1);
    assertThat(d.plan().delete()).isEmpty();
  }

  @Test
  void stableThatCrashesIsDegradedButKept() {
    RolloutInput steady = new RolloutInput("a", "a", 2, List.of(A), null);
    Decision d =
        decide(steady, null, null, new Failure("CrashLoop", "boom"), false, Decider.Action.NONE);
    assertThat(d.plan().phase()).isEqualTo(Phase.Degraded);
    assertThat(d.plan().replicas()).containsEntry("a", 2);
  }
}
