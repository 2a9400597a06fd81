package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The batch container. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BatchRuntimeSpec {
  @Size(min = 1, max = 512)
  @Pattern("^\\S+$")
  @JsonPropertyDescription("Runtime image; default: the runtime bundled with this operator.")
  public String image;

  @JsonPropertyDescription("CPU and memory of the batch container.")
  public ResourceRequirements resources;
}
