package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The serving container. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RuntimeSpec {
  @Size(min = 1, max = 512)
  @Pattern("^\\S+$")
  @JsonPropertyDescription("Runtime image; default: the runtime bundled with this operator.")
  public String image;

  @JsonPropertyDescription("CPU and memory of the serving container.")
  public ResourceRequirements resources;

  @JsonPropertyDescription("Dynamic batching of concurrent requests (off when absent).")
  public BatchingSpec batching;
}
