package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.modelship.operator.api.ModelDeployment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** examples/iris-autoscaling.yaml serves the Iris model and passes the operator's checks. */
class AutoscalingExampleTest {
  static ModelDeployment example(String file) throws Exception {
    return Serialization.unmarshal(
        Files.readString(Path.of("../examples", file)), ModelDeployment.class);
  }

  @Test
  void theAutoscalingExampleServesTheIrisModelAndPassesPreflight() throws Exception {
    ModelDeployment auto = example("iris-autoscaling.yaml");
    ModelDeployment rolling = example("iris-rolling.yaml");
    // The same model, sha256 and card as iris-rolling.yaml, which ExamplesTest checks.
    assertThat(auto.getSpec().model.uri).isEqualTo(rolling.getSpec().model.uri);
    assertThat(auto.getSpec().model.sha256).isEqualTo(rolling.getSpec().model.sha256);
    assertThat(io.modelship.operator.desired.ModelCards.yaml(auto.getSpec().model))
        .isEqualTo(io.modelship.operator.desired.ModelCards.yaml(rolling.getSpec().model));
    assertThat(auto.getSpec().replicas).isNull();
    assertThat(auto.getSpec().autoscaling.minReplicas).isEqualTo(2);
    assertThat(auto.getSpec().autoscaling.maxReplicas).isEqualTo(6);
    assertThat(auto.getSpec().autoscaling.targetCPUUtilization).isEqualTo(70);
    // A CPU target: the example requests CPU, so the operator accepts it.
    assertThat(Preflight.spec(auto.getSpec(), false)).isNull();
    assertThat(Preflight.spec(auto.getSpec(), true)).isNull();
  }
}
