package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;

/**
 * A custom pre-processing container chained in front of the runtime in every pod of a revision:
 * clients reach it, and it calls the runtime on localhost ({@code MODELSHIP_PREDICTOR_URL}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.port) || self.port != 8081",
    message = "transformer.port: 8081 is the runtime's port inside the pod; choose another")
@ValidationRule(
    value = "!has(self.readinessPath) || self.readinessPath.startsWith('/')",
    message = "transformer.readinessPath must start with /")
public class TransformerSpec {

  @Required
  @Size(min = 1, max = 512)
  @Pattern("^\\S+$")
  @JsonPropertyDescription("The transformer's image.")
  public String image;

  @Size(max = 64)
  @JsonPropertyDescription("Entrypoint override (the image's when absent).")
  public List<@Size(max = 4096) String> command;

  @Size(max = 256)
  @JsonPropertyDescription("Arguments (the image's when absent).")
  public List<@Size(max = 4096) String> args;

  @Size(max = 128)
  @JsonPropertyDescription(
      "Extra environment; MODELSHIP_PREDICTOR_URL and MODELSHIP_TRANSFORMER_PORT are set by the"
          + " operator.")
  public List<EnvVar> env;

  @Min(1)
  @Max(65535)
  @JsonPropertyDescription(
      "The port the transformer listens on (default 8080); the Service and router send client"
          + " traffic there. Not 8081, where the runtime listens behind it.")
  public Integer port;

  @Size(max = 256)
  @JsonPropertyDescription(
      "HTTP path that answers 2xx when the transformer is ready; without it, readiness is an open"
          + " TCP port. The pod is ready only when the runtime is ready too.")
  public String readinessPath;

  @JsonPropertyDescription("CPU and memory of the transformer container.")
  public ResourceRequirements resources;
}
