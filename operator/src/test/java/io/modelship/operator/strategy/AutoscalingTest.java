package io.modelship.operator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.operator.api.AutoscalingSpec;
import io.modelship.operator.api.CanaryStep;
import io.modelship.operator.api.Phase;
import io.modelship.operator.api.StrategyType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Scale under spec.autoscaling: the full size is the stable revision's current scale within
 * min..max, each strategy sizes its candidate from it, and the operator leaves alone the revision
 * its autoscaler sizes.
 */
class AutoscalingTest {
  static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

  static AutoscalingSpec auto(Integer min, int max) {
    AutoscalingSpec a = new AutoscalingSpec();
    a.minReplicas = min;
    a.maxReplicas = max;
    a.targetInflightRequests = 10;
    return a;
  }

  static final AutoscalingSpec A = auto(2, 10);

  /** The stable "v1", scaled by its autoscaler to {@code scale} pods, all ready. */
  static RevisionState v1(int scale) {
    return new RevisionState("v1", scale, scale, scale, null);
  }

  static Decision decide(
      StrategyType type,
      List<RevisionState> revisions,
      Integer remembered,
      Decider.Steps steps,
      Decider.Action action) {
    boolean keepsStable = steps != null;
    RevisionState stable =
        revisions.stream().filter(r -> r.revision().equals("v1")).findFirst().orElse(null);
    int full = Autoscaling.fullSize(A, null, stable, remembered, keepsStable);
    RolloutInput in = new RolloutInput("v2", "v1", full, revisions, null);
    return Decider.decide(
        new Decider.Input(in, type, null, null, null, false, action, null, steps));
  }

  @Test
  void theFullSizeIsTheStablesCurrentScaleWithinMinAndMax() {
    assertThat(Autoscaling.fullSize(null, 3, v1(7), null, false)).as("no autoscaling").isEqualTo(3);
    assertThat(Autoscaling.fullSize(null, null, v1(7), null, false)).isEqualTo(1);
    assertThat(Autoscaling.fullSize(A, null, null, null, false)).as("first revision").isEqualTo(2);
    assertThat(Autoscaling.fullSize(auto(null, 5), null, null, null, false)).isEqualTo(1);
    assertThat(Autoscaling.fullSize(A, null, v1(7), null, false)).isEqualTo(7);
    assertThat(Autoscaling.fullSize(A, null, v1(1), null, false)).isEqualTo(2);
    assertThat(Autoscaling.fullSize(A, null, v1(30), null, false)).isEqualTo(10);
    assertThat(Autoscaling.fullSize(A, null, v1(0), null, false)).isEqualTo(2);
    // A RollingUpdate that already moved pods goes on with the size it started from ...
    assertThat(Autoscaling.fullSize(A, null, v1(3), 7, false)).isEqualTo(7);
    assertThat(Autoscaling.fullSize(A, null, v1(3), 70, false)).as("within max").isEqualTo(10);
    // ... while a Canary follows its stable, which keeps its autoscaler.
    assertThat(Autoscaling.fullSize(A, null, v1(9), 7, true)).isEqualTo(9);
  }

  @Test
  void changingOnlyAutoscalingStartsNoRollout() {
    io.modelship.operator.api.ModelDeploymentSpec spec =
        new io.modelship.operator.api.ModelDeploymentSpec();
    spec.model = new io.modelship.operator.api.ModelSpec();
    spec.model.name = "iris";
    spec.model.uri = "configmap://iris-model/iris.onnx";
    spec.replicas = 2;
    String before = io.modelship.operator.revision.Revisions.of(spec, "img");
    spec.replicas = null;
    spec.autoscaling = auto(2, 10);
    assertThat(io.modelship.operator.revision.Revisions.of(spec, "img")).isEqualTo(before);
    spec.autoscaling = auto(3, 20);
    spec.autoscaling.targetInflightRequests = null;
    spec.autoscaling.targetCPUUtilization = 60;
    assertThat(io.modelship.operator.revision.Revisions.of(spec, "img")).isEqualTo(before);
  }

  @Test
  void inSteadyStateTheAutoscalerSizesTheStableAndTheOperatorDoesNot() {
    RevisionState stable = v1(7);
    int full = Autoscaling.fullSize(A, null, stable, null, false);
    Decision d =
        Decider.decide(
            new Decider.Input(
                new RolloutInput("v1", "v1", full, List.of(stable), null),
                StrategyType.RollingUpdate,
                null,
                null,
                null,
                false,
                Decider.Action.NONE,
                null));
    assertThat(d.plan().phase()).isEqualTo(Phase.Healthy);
    assertThat(d.plan().replicas()).containsExactly(Map.entry("v1", 7));
    assertThat(Autoscaling.autoscaled(A, d, stable, null, false)).containsExactly("v1");
    assertThat(Autoscaling.remember(A, d, full, stable, null, false)).isNull();
    assertThat(Autoscaling.autoscaled(null, d, stable, null, false)).isEmpty();
  }

  @Test
  void rollingUpdateStartsTheCandidateFromTheStablesScaleAndTakesTheStablesAutoscalerAway() {
    RevisionState v2 = RevisionState.absent("v2");
    Decision first = decide(StrategyType.RollingUpdate, List.of(v1(8)), null, null, null);
    // maxSurge 25 % of 8: two candidate pods first, the stable untouched (maxUnavailable 0).
    assertThat(first.plan().replicas()).containsEntry("v2", 2).containsEntry("v1", 8);
    assertThat(Autoscaling.autoscaled(A, first, v1(8), null, false))
        .as("the operator moves the stable's pods: its autoscaler would move them back")
        .isEmpty();
    assertThat(Autoscaling.remember(A, first, 8, v1(8), null, false)).isEqualTo(8);

    // Half-way, the stable has 4 pods left: the full size is still the 8 it started from.
    RevisionState half = new RevisionState("v2", 6, 6, 6, null);
    Decision later =
        decide(
            StrategyType.RollingUpdate,
            List.of(new RevisionState("v1", 4, 4, 4, null), half),
            8,
            null,
            null);
    // 8 must stay ready (maxUnavailable 0 of 8): of the 10 ready, two old pods may go.
    assertThat(later.plan().replicas()).containsEntry("v1", 2).containsEntry("v2", 6);
    assertThat(later.plan().message()).startsWith("RollingUpdate: 6/8 of v2 ready");

    // Done: v2 at 8 becomes stable and gets its autoscaler; nothing is remembered any more.
    RevisionState done = new RevisionState("v2", 8, 8, 8, null);
    Decision complete =
        decide(
            StrategyType.RollingUpdate,
            List.of(new RevisionState("v1", 0, 0, 0, null), done),
            8,
            null,
            null);
    assertThat(complete.stable()).isEqualTo("v2");
    assertThat(complete.plan().delete()).containsExactly("v1");
    assertThat(Autoscaling.autoscaled(A, complete, done, 8, false)).containsExactly("v2");
    assertThat(Autoscaling.remember(A, complete, 8, done, 8, false)).isNull();
    assertThat(v2.specReplicas()).isZero();
  }

  @Test
  void anAbortedRollingUpdateScalesTheStableBackBeforeItsAutoscalerReturns() {
    RevisionState shrunk = new RevisionState("v1", 3, 3, 3, null);
    Decision aborted =
        decide(
            StrategyType.RollingUpdate,
            List.of(shrunk, new RevisionState("v2", 6, 6, 6, null)),
            8,
            null,
            Decider.Action.ABORT);
    assertThat(aborted.plan().phase()).isEqualTo(Phase.RolledBack);
    assertThat(aborted.plan().replicas()).containsExactly(Map.entry("v1", 8));
    assertThat(Autoscaling.autoscaled(A, aborted, shrunk, 8, false)).isEmpty();
    assertThat(Autoscaling.remember(A, aborted, 8, shrunk, 8, false)).isEqualTo(8);

    RevisionState back = v1(8);
    assertThat(Autoscaling.autoscaled(A, aborted, back, 8, false)).containsExactly("v1");
    assertThat(Autoscaling.remember(A, aborted, 8, back, 8, false)).isNull();
  }

  @Test
  void recreateStartsTheCandidateAtTheScaleTheStableHadBeforeItStopped() {
    Decision stopping = decide(StrategyType.Recreate, List.of(v1(6)), null, null, null);
    assertThat(stopping.plan().replicas()).containsEntry("v1", 0).containsEntry("v2", 0);
    assertThat(Autoscaling.remember(A, stopping, 6, v1(6), null, false)).isEqualTo(6);
    Decision starting =
        decide(
            StrategyType.Recreate, List.of(new RevisionState("v1", 0, 0, 0, null)), 6, null, null);
    assertThat(starting.plan().replicas()).containsEntry("v2", 6);
  }

  @Test
  void blueGreenPreviewsAtTheStablesCurrentScaleAndTheStableKeepsItsAutoscaler() {
    Decider.BlueGreen bg = new Decider.BlueGreen(null, 30, null, T0, Gate.NONE, null);
    Decision preview = decide(StrategyType.BlueGreen, List.of(v1(5)), null, bg, null);
    assertThat(preview.plan().replicas()).containsExactly(Map.entry("v1", 5), Map.entry("v2", 5));
    assertThat(Autoscaling.autoscaled(A, preview, v1(5), null, true)).containsExactly("v1");
    assertThat(Autoscaling.remember(A, preview, 5, v1(5), null, true)).isNull();

    // The stable's autoscaler scales it up under load: the preview follows.
    Decision grown =
        decide(
            StrategyType.BlueGreen,
            List.of(v1(7), new RevisionState("v2", 5, 5, 5, null)),
            null,
            bg,
            null);
    assertThat(grown.plan().replicas()).containsEntry("v2", 7);

    // Promoted: v2 serves and gets its autoscaler; v1 stays, unsized by the operator, until the
    // scale-down delay ends.
    RevisionState v2 = new RevisionState("v2", 7, 7, 7, null);
    Decision promoted =
        decide(StrategyType.BlueGreen, List.of(v1(7), v2), null, bg, Decider.Action.PROMOTE);
    assertThat(promoted.stable()).isEqualTo("v2");
    assertThat(promoted.plan().replicas()).containsEntry("v1", 7).containsEntry("v2", 7);
    assertThat(Autoscaling.autoscaled(A, promoted, v2, null, true)).containsExactly("v2");
  }

  @Test
  void aCanaryStepSizesTheCandidateFromTheStablesCurrentScale() {
    CanaryStep w20 = new CanaryStep();
    w20.setWeight = 20;
    CanaryStep pause = new CanaryStep();
    pause.pause = new io.modelship.operator.api.PauseStep();
    Decider.Canary c = new Decider.Canary(List.of(w20, pause), null, T0, Gate.NONE);
    Decision small = decide(StrategyType.Canary, List.of(v1(2)), null, c, null);
    Decision large = decide(StrategyType.Canary, List.of(v1(10)), null, c, null);
    assertThat(small.plan().replicas()).containsEntry("v1", 2);
    assertThat(large.plan().replicas()).containsEntry("v1", 10);
    assertThat(large.plan().replicas().get("v2"))
        .as("20 % of the stable's 10 pods")
        .isEqualTo(2)
        .isGreaterThanOrEqualTo(small.plan().replicas().get("v2"));
    assertThat(Autoscaling.autoscaled(A, large, v1(10), null, true)).containsExactly("v1");
  }

  @Test
  void shadowMirrorsToACandidateSizedFromTheStable() {
    Decider.Shadow sh =
        new Decider.Shadow(100, java.time.Duration.ofMinutes(10), null, T0, Gate.NONE);
    Decision d = decide(StrategyType.Shadow, List.of(v1(6)), null, sh, null);
    assertThat(d.plan().replicas()).containsEntry("v1", 6).containsEntry("v2", 6);
    assertThat(Autoscaling.autoscaled(A, d, v1(6), null, true)).containsExactly("v1");
  }

  @Test
  void theCandidateNeverHasAnAutoscalerAndTheFirstRevisionGetsOneOnceItServes() {
    RolloutInput first = new RolloutInput("v1", null, 2, List.of(), null);
    Decision starting =
        Decider.decide(
            new Decider.Input(
                first, StrategyType.Canary, null, null, null, false, Decider.Action.NONE, null));
    assertThat(starting.plan().replicas()).containsExactly(Map.entry("v1", 2));
    assertThat(Autoscaling.autoscaled(A, starting, null, null, false)).isEmpty();
    assertThat(Autoscaling.autoscaled(A, starting, null, null, true)).isEqualTo(Set.of());
  }
}
