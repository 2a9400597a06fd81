package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * Pre-processing of one feature, applied by the runtime after the request value was validated and
 * before the model sees it. Written into the model card as it is here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.standardize) ? 1 : 0) + (has(self.minMax) ? 1 : 0) + (has(self.oneHot) ? 1 : 0)"
            + " == 1",
    message = "transform: set exactly one of standardize, minMax, oneHot")
public class TransformSpec {

  @JsonPropertyDescription("(x - mean) / std, for numeric features.")
  public StandardizeSpec standardize;

  @JsonPropertyDescription(
      "(x - min) / (max - min): [min, max] onto [0, 1], for numeric features; not clipped.")
  public MinMaxSpec minMax;

  @JsonPropertyDescription(
      "A string feature as one model column per category (1 for its category, 0 elsewhere).")
  public OneHotSpec oneHot;

  /** {@code (x - mean) / std}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.std > 0.0", message = "standardize.std must be greater than 0")
  public static class StandardizeSpec {
    @Required public Double mean;
    @Required public Double std;
  }

  /** {@code (x - min) / (max - min)}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "self.min < self.max",
      message = "minMax.min must be less than minMax.max")
  public static class MinMaxSpec {
    @Required public Double min;
    @Required public Double max;
  }

  /** One column per category. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class OneHotSpec {
    @Required
    @Size(min = 1, max = 32)
    @ValidationRule(
        value = "self.all(c, self.exists_one(d, d == c))",
        message = "oneHot.categories must be unique")
    @JsonPropertyDescription(
        "The categories, in the order of their model columns (1-32 of up to 64 characters, unique).")
    public List<@Size(max = 64) String> categories;

    @JsonPropertyDescription(
        "What a request with another category gets: Error (default, a 422 naming the field) or"
            + " Ignore (all zeros).")
    public UnknownCategory unknown;
  }

  /** What an unknown category gets. */
  public enum UnknownCategory {
    @JsonProperty("error")
    ERROR,
    @JsonProperty("ignore")
    IGNORE
  }
}
