package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A ModelDeployment in the same namespace. */
public class ModelDeploymentRef {
  @Required
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Name of the ModelDeployment.")
  public String name;
}
