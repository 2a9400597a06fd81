package io.modelship.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.modelship.operator.api.AutoscalingSpec;
import io.modelship.operator.api.ModelDeployment;
import org.junit.jupiter.api.Test;

class AutoscalerObjectsTest {

  static ModelDeployment md(Integer min, Integer cpu, Integer inflight) {
    ModelDeployment md = DesiredObjectsTest.md("configmap://iris-model/iris.onnx");
    md.setApiVersion("modelship.io/v1alpha1");
    md.setKind("ModelDeployment");
    md.getSpec().autoscaling = new AutoscalingSpec();
    md.getSpec().autoscaling.minReplicas = min;
    md.getSpec().autoscaling.maxReplicas = 8;
    md.getSpec().autoscaling.targetCPUUtilization = cpu;
    md.getSpec().autoscaling.targetInflightRequests = inflight;
    return md;
  }

  @Test
  void aRevisionsAutoscalerScalesItsDeploymentAndIsOwnedAndLabelledLikeIt() {
    HorizontalPodAutoscaler h = AutoscalerObjects.autoscaler(md(2, 70, null), "abc123");
    assertThat(h.getApiVersion()).isEqualTo("autoscaling/v2");
    assertThat(h.getMetadata().getName()).isEqualTo("iris-abc123");
    assertThat(h.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(h.getMetadata().getLabels()).isEqualTo(Labels.of("iris", "abc123"));
    assertThat(h.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("ModelDeployment");
    assertThat(h.getMetadata().getOwnerReferences().get(0).getController()).isTrue();
    var ref = h.getSpec().getScaleTargetRef();
    assertThat(ref.getApiVersion() + " " + ref.getKind() + " " + ref.getName())
        .isEqualTo("apps/v1 Deployment iris-abc123");
    assertThat(h.getSpec().getMinReplicas()).isEqualTo(2);
    assertThat(h.getSpec().getMaxReplicas()).isEqualTo(8);
    assertThat(h.getSpec().getMetrics()).hasSize(1);
    MetricSpec cpu = h.getSpec().getMetrics().get(0);
    assertThat(cpu.getType()).isEqualTo("Resource");
    assertThat(cpu.getResource().getName()).isEqualTo("cpu");
    assertThat(cpu.getResource().getTarget().getType()).isEqualTo("Utilization");
    assertThat(cpu.getResource().getTarget().getAverageUtilization()).isEqualTo(70);
  }

  @Test
  void anInflightTargetIsAPodsMetricOnTheRuntimesGaugeAndMinDefaultsToOne() {
    HorizontalPodAutoscaler h = AutoscalerObjects.autoscaler(md(null, null, 25), "r");
    assertThat(h.getSpec().getMinReplicas()).isEqualTo(1);
    MetricSpec pods = h.getSpec().getMetrics().get(0);
    assertThat(pods.getType()).isEqualTo("Pods");
    assertThat(pods.getPods().getMetric().getName()).isEqualTo("modelship_inflight_requests");
    assertThat(pods.getPods().getTarget().getType()).isEqualTo("AverageValue");
    assertThat(pods.getPods().getTarget().getAverageValue()).isEqualTo(new Quantity("25"));
  }

  @Test
  void withBothTargetsTheAutoscalerHasBothMetrics() {
    HorizontalPodAutoscaler h = AutoscalerObjects.autoscaler(md(1, 80, 10), "r");
    assertThat(h.getSpec().getMetrics())
        .extracting(MetricSpec::getType)
        .containsExactly("Resource", "Pods");
  }

  @Test
  void aDeploymentSizedByItsAutoscalerHasNoReplicaCount() {
    var md = md(2, null, 10);
    assertThat(DesiredObjects.deployment(md, "r", null, "img", 30).getSpec().getReplicas())
        .isNull();
    assertThat(DesiredObjects.deployment(md, "r", 3, "img", 30).getSpec().getReplicas())
        .isEqualTo(3);
  }
}
