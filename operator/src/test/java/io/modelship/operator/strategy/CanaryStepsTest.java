package io.modelship.operator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.operator.api.AnalysisStep;
import io.modelship.operator.api.CanaryStep;
import io.modelship.operator.api.PauseStep;
import io.modelship.operator.strategy.CanarySteps.Input;
import io.modelship.operator.strategy.CanarySteps.Outcome;
import io.modelship.operator.strategy.CanarySteps.Result;
import io.modelship.operator.strategy.CanarySteps.State;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanaryStepsTest {
  static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  static CanaryStep weight(int w) {
    CanaryStep s = new CanaryStep();
    s.setWeight = w;
    return s;
  }

  static CanaryStep pause(String d) {
    CanaryStep s = new CanaryStep();
    s.pause = new PauseStep();
    s.pause.duration = d;
    return s;
  }

  static CanaryStep analysis(String d) {
    CanaryStep s = new CanaryStep();
    s.analysis = new AnalysisStep();
    s.analysis.duration = d;
    return s;
  }

  static final List<CanaryStep> STEPS =
      List.of(weight(20), pause("30s"), analysis(null), weight(50), pause(null), weight(100));

  static Input in(State s, Instant now, int ready, Analysis.Outcome verdict, boolean promote) {
    return new Input(STEPS, s, now, 4, ready, verdict, List.of(), 0, promote);
  }

  @Test
  void setWeightScalesTheCandidateFirstAndMovesTrafficOnlyWhenItsPodsAreReady() {
    Result r = CanarySteps.next(in(State.start(T0), T0, 0, null, false));
    assertThat(r.outcome()).isEqualTo(Outcome.WAIT);
    assertThat(r.weight()).isZero();
    assertThat(r.candidateReplicas()).isEqualTo(1); // 20 % of 4, rounded up
    assertThat(r.message())
        .isEqualTo("step 1/6: setWeight 20: waiting for 1 ready candidate pods (0 so far)");

    Result ready = CanarySteps.next(in(State.start(T0), T0.plusSeconds(5), 1, null, false));
    assertThat(ready.state().step()).isEqualTo(1);
    assertThat(ready.state().stepStartedAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(ready.weight()).isEqualTo(20);
    assertThat(ready.message()).isEqualTo("step 2/6: paused at 20 % until 2026-11-25T10:00:35Z");
    assertThat(ready.requeueAfter()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aTimedPauseEndsOnTimeAndTheAnalysisDecides() {
    State paused = new State(1, T0, 0);
    assertThat(CanarySteps.next(in(paused, T0.plusSeconds(29), 1, null, false)).state().step())
        .isEqualTo(1);
    Result analysing = CanarySteps.next(in(paused, T0.plusSeconds(30), 1, null, false));
    assertThat(analysing.state().step()).isEqualTo(2);
    assertThat(analysing.message())
        .isEqualTo("step 3/6: analysis at 20 %: waiting for the first verdict");

    State atAnalysis = analysing.state();
    Result noData =
        CanarySteps.next(in(atAnalysis, T0.plusSeconds(40), 1, Analysis.Outcome.NO_DATA, false));
    assertThat(noData.outcome()).isEqualTo(Outcome.WAIT);
    assertThat(noData.state().step()).isEqualTo(2);

    // A pass moves on to setWeight 50, which needs 2 pods.
    Result pass =
        CanarySteps.next(in(atAnalysis, T0.plusSeconds(60), 1, Analysis.Outcome.PASS, false));
    assertThat(pass.state().step()).isEqualTo(3);
    assertThat(pass.weight()).isEqualTo(20);
    assertThat(pass.candidateReplicas()).isEqualTo(2);
  }

  @Test
  void aFailedAnalysisRollsBackBeyondTheFailureLimit() {
    State atAnalysis = new State(2, T0, 0);
    Input strict =
        new Input(
            STEPS,
            atAnalysis,
            T0.plusSeconds(5),
            4,
            1,
            Analysis.Outcome.FAIL,
            List.of("error rate 10 % is above the limit of 5 %"),
            0,
            false);
    Result r = CanarySteps.next(strict);
    assertThat(r.outcome()).isEqualTo(Outcome.ROLLBACK);
    assertThat(r.weight()).isZero();
    assertThat(r.message())
        .isEqualTo("step 3/6: analysis failed: error rate 10 % is above the limit of 5 %");

    Input lenient =
        new Input(
            STEPS, atAnalysis, T0.plusSeconds(5), 4, 1, Analysis.Outcome.FAIL, List.of(), 1, false);
    Result once = CanarySteps.next(lenient);
    assertThat(once.outcome()).isEqualTo(Outcome.WAIT);
    assertThat(once.state().analysisFailures()).isEqualTo(1);
    Input again =
        new Input(
            STEPS,
            once.state(),
            T0.plusSeconds(35),
            4,
            1,
            Analysis.Outcome.FAIL,
            List.of(),
            1,
            false);
    assertThat(CanarySteps.next(again).outcome()).isEqualTo(Outcome.ROLLBACK);
  }

  @Test
  void anAnalysisWithADurationMustKeepPassingForThatLong() {
    List<CanaryStep> steps = List.of(weight(10), analysis("5m"));
    State s = new State(1, T0, 0);
    Result early =
        CanarySteps.next(
            new Input(
                steps, s, T0.plusSeconds(60), 10, 1, Analysis.Outcome.PASS, List.of(), 0, false));
    assertThat(early.outcome()).isEqualTo(Outcome.WAIT);
    assertThat(early.requeueAfter()).isEqualTo(Duration.ofMinutes(4));
    Result done =
        CanarySteps.next(
            new Input(
                steps, s, T0.plusSeconds(300), 10, 1, Analysis.Outcome.PASS, List.of(), 0, false));
    assertThat(done.outcome()).isEqualTo(Outcome.PROMOTE);
    assertThat(done.weight()).isEqualTo(10);
    assertThat(done.candidateReplicas()).isEqualTo(10);
  }

  @Test
  void anOpenPauseWaitsForPromoteWhichOnlyMovesPastIt() {
    State open = new State(4, T0, 0);
    Result waiting = CanarySteps.next(in(open, T0.plusSeconds(3600), 2, null, false));
    assertThat(waiting.outcome()).isEqualTo(Outcome.WAIT);
    assertThat(waiting.weight()).isEqualTo(50);
    assertThat(waiting.message())
        .isEqualTo("step 5/6: paused at 50 % until promoted (modelship.io/action=promote)");
    assertThat(waiting.requeueAfter()).isNull();

    Result promoted = CanarySteps.next(in(open, T0.plusSeconds(3600), 2, null, true));
    // past the pause, then setWeight 100 needs 4 ready pods: promote does not skip it.
    assertThat(promoted.state().step()).isEqualTo(5);
    assertThat(promoted.outcome()).isEqualTo(Outcome.WAIT);
    assertThat(promoted.candidateReplicas()).isEqualTo(4);
  }

  @Test
  void promoteElsewherePromotesAtOnce() {
    Result r = CanarySteps.next(in(new State(1, T0, 0), T0, 1, null, true));
    assertThat(r.outcome()).isEqualTo(Outcome.PROMOTE);
    assertThat(r.message()).isEqualTo("step 2/6: promoted by modelship.io/action=promote");
  }

  @Test
  void afterTheLastStepTheCandidateIsPromoted() {
    Result r = CanarySteps.next(in(new State(5, T0, 0), T0, 4, null, false));
    assertThat(r.outcome()).isEqualTo(Outcome.PROMOTE);
    assertThat(r.weight()).isEqualTo(100);
    assertThat(r.message()).isEqualTo("all 6 steps done");
  }

  @Test
  void podsFollowTheWeightWithAtLeastOne() {
    assertThat(CanarySteps.podsFor(10, 0)).isZero();
    assertThat(CanarySteps.podsFor(10, 1)).isEqualTo(1);
    assertThat(CanarySteps.podsFor(10, 25)).isEqualTo(3);
    assertThat(CanarySteps.podsFor(3, 100)).isEqualTo(3);
  }

  static Input asked(State s, Instant now, int ready, Integer weight) {
    return new Input(STEPS, s, now, 4, ready, null, List.of(), 0, false, weight);
  }

  @Test
  void aWeightSetByHandAtAPauseMovesTrafficOnceItsPodsAreReady() {
    // Step 5 (index 4) is the open pause at 50 %: 2 of 4 pods.
    State atPause = new State(4, T0, 0);
    Result asked = CanarySteps.next(asked(atPause, T0.plusSeconds(1), 2, 80));
    assertThat(asked.outcome()).isEqualTo(Outcome.WAIT);
    assertThat(asked.state().manualWeight()).isEqualTo(80);
    assertThat(asked.weight()).isEqualTo(50); // the 4 pods 80 % needs are not ready yet
    assertThat(asked.candidateReplicas()).isEqualTo(4);
    assertThat(asked.message())
        .isEqualTo(
            "step 5/6: set by hand to 80 %: waiting for 4 ready candidate pods (2 so far), at 50 %"
                + " meanwhile until promoted (modelship.io/action=promote)");

    Result ready = CanarySteps.next(asked(asked.state(), T0.plusSeconds(9), 4, null));
    assertThat(ready.weight()).isEqualTo(80);
    assertThat(ready.state().manualWeight()).isEqualTo(80);
    assertThat(ready.message())
        .isEqualTo(
            "step 5/6: paused at 80 % (set by hand) until promoted (modelship.io/action=promote)");

    Result lower = CanarySteps.next(asked(ready.state(), T0.plusSeconds(10), 4, 10));
    assertThat(lower.weight()).isEqualTo(10);
    assertThat(lower.candidateReplicas()).isEqualTo(1);

    // A promote ends the pause; the hand-set share holds until the next setWeight (100) has its
    // pods, so the traffic never steps back to the spec's 50 %.
    Result promoted = CanarySteps.next(in(lower.state(), T0.plusSeconds(11), 1, null, true));
    assertThat(promoted.state().step()).isEqualTo(5);
    assertThat(promoted.state().manualWeight()).isEqualTo(10);
    assertThat(promoted.weight()).isEqualTo(10);
    assertThat(promoted.candidateReplicas()).isEqualTo(4);
    Result done = CanarySteps.next(in(promoted.state(), T0.plusSeconds(20), 4, null, false));
    assertThat(done.outcome()).isEqualTo(Outcome.PROMOTE);
    assertThat(done.state().manualWeight()).isNull();
    assertThat(done.weight()).isEqualTo(100);
  }

  @Test
  void aWeightSetByHandHoldsUntilTheNextSetWeightStep() {
    State atPause = new State(1, T0, 0);
    Result asked = CanarySteps.next(asked(atPause, T0.plusSeconds(1), 1, 0));
    assertThat(asked.weight()).isZero();
    assertThat(asked.candidateReplicas()).isZero();
    assertThat(asked.requeueAfter()).isEqualTo(Duration.ofSeconds(29));
    // The pause ends; the analysis step after it keeps the hand-set 0 %.
    Result after = CanarySteps.next(asked(asked.state(), T0.plusSeconds(31), 1, null));
    assertThat(after.state().step()).isEqualTo(2);
    assertThat(after.state().manualWeight()).isZero();
    assertThat(after.weight()).isZero();
    // The next setWeight (50: 2 pods) moves the traffic once its pods are ready, and ends it.
    Result passed =
        CanarySteps.next(
            new Input(
                STEPS,
                after.state(),
                T0.plusSeconds(40),
                4,
                2,
                Analysis.Outcome.PASS,
                List.of(),
                0,
                false));
    assertThat(passed.state().step()).isEqualTo(4);
    assertThat(passed.state().manualWeight()).isNull();
    assertThat(passed.weight()).isEqualTo(50);
  }

  @Test
  void aWeightIsRefusedAnywhereButAtAPauseStepAndOutsideZeroToAHundred() {
    assertThat(CanarySteps.setWeightRefusal(STEPS, 1, 30)).isNull();
    assertThat(CanarySteps.setWeightRefusal(STEPS, 4, 100)).isNull();
    assertThat(CanarySteps.setWeightRefusal(STEPS, 0, 30))
        .isEqualTo(
            "step 1/6 is a setWeight step; a weight can be set only while the rollout waits at a"
                + " pause step");
    assertThat(CanarySteps.setWeightRefusal(STEPS, 2, 30)).startsWith("step 3/6 is an analysis");
    assertThat(CanarySteps.setWeightRefusal(STEPS, null, 30))
        .isEqualTo("no Canary rollout is waiting at a step");
    assertThat(CanarySteps.setWeightRefusal(STEPS, 1, 101))
        .isEqualTo("weight 101 is not a percent from 0 to 100");
    assertThat(CanarySteps.setWeightRefusal(STEPS, 1, -1)).contains("not a percent");
  }
}
