package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** One canary step: exactly one of setWeight, pause, analysis. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "[has(self.setWeight), has(self.pause), has(self.analysis)].filter(x, x).size() == 1",
    message = "each canary step must have exactly one of setWeight, pause or analysis")
public class CanaryStep {
  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Percent of traffic to the candidate, 0-100.")
  public Integer setWeight;

  @JsonPropertyDescription("Wait: for duration, or until promoted when no duration is given.")
  public PauseStep pause;

  @JsonPropertyDescription("Run the analysis gates now; fail rolls back.")
  public AnalysisStep analysis;
}
