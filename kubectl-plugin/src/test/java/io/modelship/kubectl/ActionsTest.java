package io.modelship.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.StrategyType;
import org.junit.jupiter.api.Test;

class ActionsTest {
  @Test
  void promoteAbortAndRetryAreTheOperatorsAnnotation() throws Exception {
    ModelDeployment md = Fixtures.canaryAtOpenPause("ns", "iris");
    assertThat(Actions.plan("promote", md, null))
        .isEqualTo(
            new Actions.Plan(
                "{\"metadata\":{\"annotations\":{\"modelship.io/action\":\"promote\"}}}",
                "promote requested: iris moves to revision bbbb222222"));
    assertThat(Actions.plan("abort", md, null).patch())
        .isEqualTo("{\"metadata\":{\"annotations\":{\"modelship.io/action\":\"abort\"}}}");
    assertThat(Actions.plan("abort", md, null).message())
        .isEqualTo("abort requested: iris goes back to revision aaaa111111 and rejects bbbb222222");
    md.getStatus().rejectedRevision = "cccc333333";
    assertThat(Actions.plan("retry", md, null).patch())
        .isEqualTo("{\"metadata\":{\"annotations\":{\"modelship.io/action\":\"retry\"}}}");
  }

  @Test
  void withNoRolloutThereIsNothingToPromoteAbortOrRetry() {
    ModelDeployment md = Fixtures.healthy("ns", "iris");
    assertThatThrownBy(() -> Actions.plan("promote", md, null))
        .isInstanceOf(Actions.Refused.class)
        .hasMessage(
            "iris has no rollout in progress (revision aaaa111111 serves): nothing to promote");
    assertThatThrownBy(() -> Actions.plan("abort", md, null))
        .hasMessageEndingWith("nothing to abort");
    assertThatThrownBy(() -> Actions.plan("retry", md, null))
        .hasMessage("iris has no rejected revision to retry");
  }

  @Test
  void aRollingUpdateOrRecreateHasNothingToPromote() throws Exception {
    ModelDeployment md = Fixtures.canaryAtOpenPause("ns", "iris");
    md.getSpec().strategy.type = StrategyType.RollingUpdate;
    assertThatThrownBy(() -> Actions.plan("promote", md, null))
        .isInstanceOf(Actions.Refused.class)
        .hasMessage(
            "iris rolls out with RollingUpdate, which moves on as the new pods become ready: there"
                + " is nothing to promote (abort stops it)");
    assertThat(Actions.plan("abort", md, null).patch()).contains("abort");
  }

  @Test
  void pauseAndResumeSetSpecPausedAndSayWhenThereIsNothingToDo() throws Exception {
    ModelDeployment md = Fixtures.healthy("ns", "iris");
    assertThat(Actions.plan("pause", md, null).patch()).isEqualTo("{\"spec\":{\"paused\":true}}");
    assertThat(Actions.plan("resume", md, null))
        .isEqualTo(new Actions.Plan(null, "iris is not paused"));
    md.getSpec().paused = true;
    assertThat(Actions.plan("pause", md, null))
        .isEqualTo(new Actions.Plan(null, "iris is paused already"));
    assertThat(Actions.plan("resume", md, null).patch()).isEqualTo("{\"spec\":{\"paused\":null}}");
  }

  @Test
  void setWeightOnlyAtACanarysPause() throws Exception {
    ModelDeployment md = Fixtures.canaryAtOpenPause("ns", "iris");
    assertThat(Actions.plan("set-weight", md, "80").patch())
        .isEqualTo("{\"metadata\":{\"annotations\":{\"modelship.io/set-weight\":\"80\"}}}");
    md.getStatus().currentStep = 2;
    assertThatThrownBy(() -> Actions.plan("set-weight", md, "80"))
        .isInstanceOf(Actions.Refused.class)
        .hasMessage(
            "set-weight 80 refused for iris: step 3/4 is a setWeight step; a weight can be set only"
                + " while the rollout waits at a pause step");
    md.getSpec().strategy.type = StrategyType.BlueGreen;
    assertThatThrownBy(() -> Actions.plan("set-weight", md, "80"))
        .hasMessageContaining(
            "the strategy is BlueGreen; only a Canary's share can be set by hand");
    assertThatThrownBy(() -> Actions.plan("set-weight", Fixtures.healthy("ns", "iris"), "80"))
        .hasMessage("set-weight 80 refused for iris: no Canary rollout is in progress");
  }
}
