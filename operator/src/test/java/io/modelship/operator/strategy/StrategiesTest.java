package io.modelship.operator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.modelship.operator.api.Phase;
import io.modelship.operator.api.RollingUpdateSpec;
import io.modelship.operator.api.StrategyType;
import java.util.List;
import org.junit.jupiter.api.Test;

public class StrategiesTest {

  static RevisionState rev(String r, int spec, int ready) {
    return new RevisionState(r, spec, ready, spec, null);
  }

  public static RollingUpdateSpec rolling(Object surge, Object unavailable) {
    RollingUpdateSpec s = new RollingUpdateSpec();
    s.maxSurge = surge instanceof Integer i ? new IntOrString(i) : new IntOrString((String) surge);
    s.maxUnavailable =
        unavailable instanceof Integer i
            ? new IntOrString(i)
            : new IntOrString((String) unavailable);
    return s;
  }

  static Decision decide(RolloutInput in, StrategyType type) {
    return Decider.decide(
        new Decider.Input(in, type, null, null, null, false, Decider.Action.NONE, null));
  }

  @Test
  void firstRevisionStartsAtFullSizeAndBecomesStableWhenReady() {
    Decision d = decide(new RolloutInput("a", null, 3, List.of(), null), StrategyType.Canary);
    assertThat(d.plan().replicas()).containsEntry("a", 3);
    assertThat(d.plan().phase()).isEqualTo(Phase.Pending);
    assertThat(d.stable()).isNull();
    assertThat(d.candidate()).isEqualTo("a");

    Decision ready =
        decide(new RolloutInput("a", null, 3, List.of(rev("a", 3, 3)), null), StrategyType.Canary);
    assertThat(ready.plan().phase()).isEqualTo(Phase.Healthy);
    assertThat(ready.stable()).isEqualTo("a");
    assertThat(ready.candidate()).isNull();
  }

  @Test
  void recreateStopsEveryOldPodBeforeTheNewRevisionStarts() {
    RolloutInput running = new RolloutInput("b", "a", 2, List.of(rev("a", 2, 2)), null);
    Decision d = decide(running, StrategyType.Recreate);
    assertThat(d.plan().replicas()).containsEntry("a", 0).containsEntry("b", 0);
    assertThat(d.plan().reason()).isEqualTo("ScalingDownOldRevision");

    // Scaled to zero but a pod is still terminating: keep waiting.
    RolloutInput terminating =
        new RolloutInput("b", "a", 2, List.of(new RevisionState("a", 0, 0, 1, null)), null);
    assertThat(decide(terminating, StrategyType.Recreate).plan().replicas()).containsEntry("b", 0);

    RolloutInput gone =
        new RolloutInput("b", "a", 2, List.of(new RevisionState("a", 0, 0, 0, null)), null);
    Decision start = decide(gone, StrategyType.Recreate);
    assertThat(start.plan().replicas()).containsEntry("b", 2);
    assertThat(start.plan().delete()).isEmpty();

    Decision done =
        decide(
            new RolloutInput(
                "b", "a", 2, List.of(new RevisionState("a", 0, 0, 0, null), rev("b", 2, 2)), null),
            StrategyType.Recreate);
    assertThat(done.plan().phase()).isEqualTo(Phase.Healthy);
    assertThat(done.plan().delete()).containsExactly("a");
    assertThat(done.stable()).isEqualTo("b");
  }

  @Test
  void rollingUpdateNeverExceedsSurgeNorDropsBelowAvailability() {
    RollingUpdateSpec bounds = rolling(1, 0);
    // replicas 4, maxSurge 1, maxUnavailable 0: at most 5 pods, at least 4 ready.
    RolloutInput start = new RolloutInput("b", "a", 4, List.of(rev("a", 4, 4)), bounds);
    Decision d1 = decide(start, StrategyType.RollingUpdate);
    assertThat(d1.plan().replicas()).containsEntry("b", 1).containsEntry("a", 4);

    // b's pod not ready yet: nothing more happens.
    Decision d2 =
        decide(
            new RolloutInput("b", "a", 4, List.of(rev("a", 4, 4), rev("b", 1, 0)), bounds),
            StrategyType.RollingUpdate);
    assertThat(d2.plan().replicas()).containsEntry("b", 1).containsEntry("a", 4);

    // b ready: one old pod may go, and then one more new may start.
    Decision d3 =
        decide(
            new RolloutInput("b", "a", 4, List.of(rev("a", 4, 4), rev("b", 1, 1)), bounds),
            StrategyType.RollingUpdate);
    assertThat(d3.plan().replicas()).containsEntry("a", 3).containsEntry("b", 1);
    Decision d4 =
        decide(
            new RolloutInput("b", "a", 4, List.of(rev("a", 3, 3), rev("b", 1, 1)), bounds),
            StrategyType.RollingUpdate);
    assertThat(d4.plan().replicas()).containsEntry("b", 2);
    assertThat(d4.candidateWeight()).isEqualTo(25);

    Decision last =
        decide(
            new RolloutInput("b", "a", 4, List.of(rev("a", 0, 0), rev("b", 4, 4)), bounds),
            StrategyType.RollingUpdate);
    assertThat(last.plan().phase()).isEqualTo(Phase.Healthy);
    assertThat(last.plan().delete()).containsExactly("a");
  }

  @Test
  void rollingUpdateWithUnavailabilityReplacesWithoutSurge() {
    RollingUpdateSpec bounds = rolling(0, 1);
    Decision d =
        decide(
            new RolloutInput("b", "a", 2, List.of(rev("a", 2, 2)), bounds),
            StrategyType.RollingUpdate);
    assertThat(d.plan().replicas()).containsEntry("a", 1).containsEntry("b", 0);
    Decision d2 =
        decide(
            new RolloutInput("b", "a", 2, List.of(rev("a", 1, 1)), bounds),
            StrategyType.RollingUpdate);
    assertThat(d2.plan().replicas()).containsEntry("b", 1);
  }

  @Test
  void percentagesRoundLikeDeployments() {
    assertThat(RollingUpdateStrategy.resolve(new IntOrString("25%"), 3, "0", true)).isEqualTo(1);
    assertThat(RollingUpdateStrategy.resolve(new IntOrString("25%"), 3, "0", false)).isEqualTo(0);
    assertThat(RollingUpdateStrategy.resolve(null, 8, "25%", true)).isEqualTo(2);
    assertThat(RollingUpdateStrategy.resolve(new IntOrString(2), 8, "25%", true)).isEqualTo(2);
  }

  @Test
  void bothBoundsZeroStillMakesProgress() {
    Decision d =
        decide(
            new RolloutInput("b", "a", 2, List.of(rev("a", 2, 2)), rolling(0, 0)),
            StrategyType.RollingUpdate);
    assertThat(d.plan().replicas()).containsEntry("b", 1);
  }

  @Test
  void replicaChangeOfTheStableRevisionOnlyScales() {
    Decision d =
        decide(
            new RolloutInput("a", "a", 5, List.of(rev("a", 2, 2)), null),
            StrategyType.RollingUpdate);
    assertThat(d.plan().replicas()).containsEntry("a", 5);
    assertThat(d.candidate()).isNull();
    assertThat(d.plan().phase()).isEqualTo(Phase.Progressing);
  }
}
