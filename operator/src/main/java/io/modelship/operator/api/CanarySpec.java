package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Canary: traffic moves to the candidate step by step. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanarySpec {
  @Required
  @Size(min = 1, max = 50)
  @ValidationRule(
      value = "self.filter(s, has(s.setWeight)).map(s, s.setWeight).isSorted()",
      message = "spec.strategy.canary.steps: setWeight values must not decrease from step to step")
  @JsonPropertyDescription("setWeight, pause and analysis steps, run in order.")
  public List<CanaryStep> steps;

  @Size(max = 10)
  @JsonPropertyDescription("A/B: requests matching any rule always go to the candidate.")
  public List<MatchRule> match;
}
