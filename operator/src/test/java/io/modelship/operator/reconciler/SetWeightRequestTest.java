package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.modelship.operator.api.CanarySpec;
import io.modelship.operator.api.CanaryStep;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.PauseStep;
import io.modelship.operator.api.StrategySpec;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.desired.Labels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SetWeightRequestTest {
  static ModelDeploymentSpec canary() {
    ModelDeploymentSpec s = new ModelDeploymentSpec();
    s.strategy = new StrategySpec();
    s.strategy.type = StrategyType.Canary;
    s.strategy.canary = new CanarySpec();
    CanaryStep w = new CanaryStep();
    w.setWeight = 20;
    CanaryStep p = new CanaryStep();
    p.pause = new PauseStep();
    s.strategy.canary.steps = List.of(w, p);
    return s;
  }

  static ModelDeploymentStatus at(Integer step) {
    ModelDeploymentStatus s = new ModelDeploymentStatus();
    s.stableRevision = "a";
    s.candidateRevision = "b";
    s.currentStep = step;
    return s;
  }

  static ModelDeployment md(String weight) {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(
        new ObjectMetaBuilder()
            .withName("iris")
            .withAnnotations(weight == null ? Map.of() : Map.of(Labels.SET_WEIGHT, weight))
            .build());
    return md;
  }

  @Test
  void aWeightAtAnOpenPauseIsTaken() {
    SetWeightRequest r = SetWeightRequest.of(md(" 35 "), canary(), at(1), true);
    assertThat(r).isEqualTo(new SetWeightRequest(true, 35, null));
    assertThat(SetWeightRequest.of(md(null), canary(), at(1), true))
        .isEqualTo(SetWeightRequest.NONE);
  }

  @Test
  void eachRefusalSaysWhy() {
    assertThat(SetWeightRequest.of(md("half"), canary(), at(1), true).refusal())
        .isEqualTo("modelship.io/set-weight \"half\" is not a whole percent from 0 to 100");
    assertThat(SetWeightRequest.of(md("30"), canary(), at(0), true).refusal())
        .startsWith("step 1/2 is a setWeight step");
    assertThat(SetWeightRequest.of(md("30"), canary(), at(1), false).refusal())
        .isEqualTo("no Canary rollout is in progress");
    ModelDeploymentSpec paused = canary();
    paused.paused = true;
    assertThat(SetWeightRequest.of(md("30"), paused, at(1), true).refusal())
        .isEqualTo("the rollout is paused by spec.paused; resume it first");
    ModelDeploymentSpec bg = canary();
    bg.strategy.type = StrategyType.BlueGreen;
    assertThat(SetWeightRequest.of(md("30"), bg, at(1), true).refusal())
        .startsWith("the strategy is BlueGreen; only a Canary's share can be set by hand");
    SetWeightRequest r = SetWeightRequest.of(md("30"), bg, at(1), true);
    assertThat(r.asked()).isTrue();
    assertThat(r.weight()).isNull();
  }
}
