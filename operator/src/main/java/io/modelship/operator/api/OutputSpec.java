package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Declared outputs of a model. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OutputSpec {
  @Size(max = 1000)
  @JsonPropertyDescription(
      "Class labels in the order of the model's probability columns; must be unique.")
  public List<@Size(max = 256) String> labels;
}
