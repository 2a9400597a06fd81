package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** A/B rule: requests whose headers all match go to the candidate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MatchRule {
  @Required
  @ValidationRule(
      value = "self.size() >= 1 && self.size() <= 10",
      message = "headers: 1 to 10 entries")
  @JsonPropertyDescription(
      "Header name to exact value, 1 to 10 entries (names are checked by the operator).")
  public Map<String, @Size(min = 1, max = 256) String> headers;
}
