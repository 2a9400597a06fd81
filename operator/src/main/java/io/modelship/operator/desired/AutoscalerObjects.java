package io.modelship.operator.desired;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import io.modelship.operator.api.AutoscalingSpec;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.revision.Revisions;
import io.modelship.operator.strategy.Autoscaling;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code autoscaling/v2} HorizontalPodAutoscaler of a revision, for {@code spec.autoscaling}:
 * named and labelled like the revision's Deployment, which it scales, and owned by the
 * ModelDeployment. {@code targetCPUUtilization} becomes a Resource metric (needs metrics-server),
 * {@code targetInflightRequests} a Pods metric on the runtime's {@link #INFLIGHT_METRIC} gauge
 * (needs a custom-metrics adapter); with both, the autoscaler follows whichever asks for more pods.
 * Pure.
 */
public final class AutoscalerObjects {
  /** The per-pod gauge the runtime exports at {@code /q/metrics}. */
  public static final String INFLIGHT_METRIC = "modelship_inflight_requests";

  private AutoscalerObjects() {}

  public static HorizontalPodAutoscaler autoscaler(ModelDeployment md, String revision) {
    AutoscalingSpec a = md.getSpec().autoscaling;
    String name = Revisions.objectName(md, revision);
    return new HorizontalPodAutoscalerBuilder()
        .withMetadata(
            DesiredObjects.meta(md, name, Labels.of(md.getMetadata().getName(), revision)))
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName(name)
        .endScaleTargetRef()
        .withMinReplicas(Autoscaling.min(a))
        .withMaxReplicas(a.maxReplicas)
        .withMetrics(metrics(a))
        .endSpec()
        .build();
  }

  static List<MetricSpec> metrics(AutoscalingSpec a) {
    List<MetricSpec> metrics = new ArrayList<>();
    if (a.targetCPUUtilization != null) {
      metrics.add(
          new MetricSpecBuilder()
              .withType("Resource")
              .withNewResource()
              .withName("cpu")
              .withNewTarget()
              .withType("Utilization")
              .withAverageUtilization(a.targetCPUUtilization)
              .endTarget()
              .endResource()
              .build());
    }
    if (a.targetInflightRequests != null) {
      metrics.add(
          new MetricSpecBuilder()
              .withType("Pods")
              .withNewPods()
              .withNewMetric()
              .withName(INFLIGHT_METRIC)
              .endMetric()
              .withNewTarget()
              .withType("AverageValue")
              .withAverageValue(new Quantity(Integer.toString(a.targetInflightRequests)))
              .endTarget()
              .endPods()
              .build());
    }
    return metrics;
  }
}
