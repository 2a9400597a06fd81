package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** How a new revision replaces the serving one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.rollingUpdate) || self.type == 'RollingUpdate'",
    message = "spec.strategy.rollingUpdate is only allowed when type is RollingUpdate")
@ValidationRule(
    value = "!has(self.blueGreen) || self.type == 'BlueGreen'",
    message = "spec.strategy.blueGreen is only allowed when type is BlueGreen")
@ValidationRule(
    value = "!has(self.canary) || self.type == 'Canary'",
    message = "spec.strategy.canary is only allowed when type is Canary")
@ValidationRule(
    value = "!has(self.shadow) || self.type == 'Shadow'",
    message = "spec.strategy.shadow is only allowed when type is Shadow")
@ValidationRule(
    value = "self.type != 'Canary' || has(self.canary)",
    message = "spec.strategy.canary (with steps) is required when type is Canary")
@ValidationRule(
    value = "self.type != 'Shadow' || has(self.shadow)",
    message = "spec.strategy.shadow is required when type is Shadow")
public class StrategySpec {
  @Required
  @JsonPropertyDescription("Recreate, RollingUpdate, BlueGreen, Canary or Shadow.")
  public StrategyType type;

  public RollingUpdateSpec rollingUpdate;
  public BlueGreenSpec blueGreen;
  public CanarySpec canary;
  public ShadowSpec shadow;
}
