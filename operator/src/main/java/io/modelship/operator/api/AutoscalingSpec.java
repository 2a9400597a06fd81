package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Horizontal autoscaling per revision. */
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
  public Integer maxReplicas;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Target average CPU utilization, percent of requests.")
  public Integer targetCPUUtilization;

  @Min(1)
  @Max(100_000)
  @JsonPropertyDescription("Target requests in flight per pod.")
  public Integer targetInflightRequests;
}
