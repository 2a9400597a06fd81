package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Horizontal autoscaling: a HorizontalPodAutoscaler on the serving revision, and rollouts sized
 * from its scale (docs/autoscaling.md).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.minReplicas) || self.minReplicas <= self.maxReplicas",
    message = "minReplicas must not be greater than maxReplicas")
@ValidationRule(
    value = "has(self.targetCPUUtilization) || has(self.targetInflightRequests)",
    message = "set targetCPUUtilization or targetInflightRequests")
public class AutoscalingSpec {
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Lowest replica count (default 1).")
  public Integer minReplicas;

  @Required
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Highest replica count.")
  public Integer maxReplicas;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "Target average CPU utilization, percent of the serving container's CPU request (a Resource"
          + " metric; needs metrics-server, and a CPU request if spec.runtime.resources is set).")
  public Integer targetCPUUtilization;

  @Min(1)
  @Max(100_000)
  @JsonPropertyDescription(
      "Target requests in flight per pod (a Pods metric on the runtime's"
          + " modelship_inflight_requests gauge; needs a custom-metrics adapter).")
  public Integer targetInflightRequests;
}
