package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** A/B rule: requests whose headers all match go to the candidate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MatchRule {
  @Required
  @ValidationRule(
      value = "self.size() >= 1 && self.size() <= 10",
      message = "headers: 1 to 10 entries")
  @ValidationRule(
      value = "self.all(k, k.matches('^[A-Za-z0-9-]{1,64}$'))",
      message = "header names are letters, digits and '-', at most 64 characters")
  @JsonPropertyDescription("Header name to exact value.")
  public Map<String, String> headers;
}
