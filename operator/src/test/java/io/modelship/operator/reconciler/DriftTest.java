package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.modelship.operator.desired.GatewayObjects;
import io.modelship.operator.desired.GatewayObjectsTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftTest {
  @Test
  void anHttpRouteWhoseWeightsAnotherWriterChangedIsAppliedAgain() {
    GenericKubernetesResource desired =
        GatewayObjects.route(GatewayObjectsTest.md(), "v1", "v2", 25, null);
    String hash = "abc";
    GenericKubernetesResource live = new GenericKubernetesResource();
    live.setMetadata(new ObjectMetaBuilder().withAnnotations(Map.of(Drift.APPLIED, hash)).build());
    // As the API server returns it: defaults filled in.
    live.setAdditionalProperty(
        "spec",
        Map.of(
            "rules",
            List.of(
                Map.of(
                    "matches",
                    List.of(Map.of("path", Map.of("type", "PathPrefix", "value", "/"))),
                    "backendRefs",
                    List.of(
                        Map.of("name", "iris-v1", "port", 8080, "weight", 75),
                        Map.of("name", "iris-v2", "port", 8080, "weight", 25))))));
    assertThat(Drift.needsApply(desired, live, hash)).isFalse();

    live.setAdditionalProperty(
        "spec",
        Map.of(
            "rules",
            List.of(
                Map.of(
                    "backendRefs",
                    List.of(
                        Map.of("name", "iris-v1", "port", 8080, "weight", 0),
                        Map.of("name", "iris-v2", "port", 8080, "weight", 100))))));
    assertThat(Drift.needsApply(desired, live, hash)).isTrue();
    assertThat(Drift.backends(desired)).containsExactly(List.of("iris-v1=75", "iris-v2=25"));
  }

  @Test
  void aDeploymentScaledByAnotherWriterIsPutRightUnlessItsAutoscalerSizesIt() {
    var md = new io.modelship.operator.api.ModelDeployment();
    md.setMetadata(new ObjectMetaBuilder().withName("iris").withNamespace("ml").build());
    md.setSpec(new io.modelship.operator.api.ModelDeploymentSpec());
    md.getSpec().model = new io.modelship.operator.api.ModelSpec();
    md.getSpec().model.name = "iris";
    md.getSpec().model.uri = "configmap://iris-model/iris.onnx";
    var fixed = io.modelship.operator.desired.DesiredObjects.deployment(md, "r", 2, "img", 30);
    var live = io.modelship.operator.desired.DesiredObjects.deployment(md, "r", 2, "img", 30);
    live.getMetadata().setAnnotations(Map.of(Drift.APPLIED, "h"));
    live.getSpec().setReplicas(5);
    assertThat(Drift.needsApply(fixed, live, "h")).isTrue();
    var autoscaled =
        io.modelship.operator.desired.DesiredObjects.deployment(md, "r", null, "img", 30);
    assertThat(Drift.needsApply(autoscaled, live, "h")).isFalse();
  }

  @Test
  void anAutoscalerWhoseBoundsOrMetricsAnotherWriterChangedIsAppliedAgain() {
    var md = new io.modelship.operator.api.ModelDeployment();
    md.setMetadata(new ObjectMetaBuilder().withName("iris").withNamespace("ml").build());
    md.setSpec(new io.modelship.operator.api.ModelDeploymentSpec());
    md.getSpec().autoscaling = new io.modelship.operator.api.AutoscalingSpec();
    md.getSpec().autoscaling.maxReplicas = 6;
    md.getSpec().autoscaling.targetInflightRequests = 20;
    var desired = io.modelship.operator.desired.AutoscalerObjects.autoscaler(md, "r");
    var live = io.modelship.operator.desired.AutoscalerObjects.autoscaler(md, "r");
    live.getMetadata().setAnnotations(Map.of(Drift.APPLIED, "h"));
    // As the API server returns it: the quantity re-read, a status written by its controller.
    live.getSpec()
        .getMetrics()
        .get(0)
        .getPods()
        .getTarget()
        .setAverageValue(new io.fabric8.kubernetes.api.model.Quantity("20"));
    live.setStatus(
        new io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatusBuilder()
            .withCurrentReplicas(3)
            .withDesiredReplicas(4)
            .build());
    assertThat(Drift.needsApply(desired, live, "h")).isFalse();
    live.getSpec().setMaxReplicas(60);
    assertThat(Drift.needsApply(desired, live, "h")).isTrue();
    live.getSpec().setMaxReplicas(6);
    live.getSpec()
        .getMetrics()
        .get(0)
        .getPods()
        .getTarget()
        .setAverageValue(new io.fabric8.kubernetes.api.model.Quantity("200"));
    assertThat(Drift.needsApply(desired, live, "h")).isTrue();
  }
}
