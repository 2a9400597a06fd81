package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One declared input feature. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.min) || !has(self.max) || self.min <= self.max",
    message = "min must not be greater than max")
@ValidationRule(
    value =
        "!(has(self.min) || has(self.max)) || !has(self.type) || self.type in ['float', 'double',"
            + " 'integer']",
    message = "min/max only apply to numeric types (float, double, integer)")
@ValidationRule(
    value =
        "!has(self.transform) || !(has(self.transform.standardize) || has(self.transform.minMax))"
            + " || !has(self.type) || self.type in ['float', 'double', 'integer']",
    message = "transform: standardize and minMax only apply to numeric types")
@ValidationRule(
    value =
        "!has(self.transform) || !has(self.transform.oneHot) || (has(self.type) && self.type =="
            + " 'string')",
    message = "transform: oneHot only applies to type string")
public class InputSpec {

  @Required
  @Size(min = 1, max = 128)
  public String name;

  @JsonPropertyDescription("float (default), double, integer, boolean or string.")
  public FeatureType type;

  @JsonPropertyDescription("Inclusive lower bound (numeric types).")
  public Double min;

  @JsonPropertyDescription("Inclusive upper bound (numeric types).")
  public Double max;

  @JsonPropertyDescription("Whether requests must carry it (default true).")
  public Boolean required;

  @JsonProperty("default")
  @JsonDeserialize(using = ShallowJsonDeserializer.class)
  @JsonPropertyDescription(
      "Value used when an optional feature is absent: required when required is false, and"
          + " only then (checked by the operator: schemaless fields are invisible to CEL).")
  public JsonNode defaultValue;

  @Size(max = 1024)
  public String description;

  @JsonPropertyDescription(
      "Pre-processing the runtime applies after validation (min/max judge the raw value) and"
          + " before the model: exactly one of standardize, minMax, oneHot.")
  public TransformSpec transform;
}
