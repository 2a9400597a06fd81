package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * The model: where it comes from, and its card (the same schema as the runtime's model card: name,
 * version, format, inputs, outputs).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelSpec {

  @Required
  @Size(min = 1, max = 63)
  @Pattern("^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$")
  @JsonPropertyDescription("Model name, used in URLs (/models/<name>/predict).")
  public String name;

  @JsonPropertyDescription("Model format; onnx.")
  public ModelFormat format;

  @Required
  @Size(max = 2048)
  @ValidationRule(
      value =
          "self.matches('^(configmap|pvc)://[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[^/].*$')"
              + " || self.matches('^(https|s3)://[^/]+/.+$')",
      message =
          "spec.model.uri must be configmap://<configmap>/<key>, pvc://<claim>/<path>,"
              + " https://<host>/<path> or s3://<bucket>/<key> (file:// and other schemes are not"
              + " allowed)")
  @ValidationRule(
      value = "!self.contains('/../') && !self.endsWith('/..')",
      message = "spec.model.uri must not contain '..' path segments")
  @JsonPropertyDescription(
      "Where the model file is: configmap://name/key, pvc://claim/path, https://..., s3://...")
  public String uri;

  @Pattern("^[a-fA-F0-9]{64}$")
  @JsonPropertyDescription(
      "Optional sha256 of the model file (64 hex characters), verified before serving.")
  public String sha256;

  @Size(max = 63)
  @JsonPropertyDescription("Version shown in status and responses.")
  public String version;

  @Size(max = 1024)
  public String description;

  @Size(max = 256)
  @ValidationRule(
      value = "self.all(x, self.exists_one(y, y.name == x.name))",
      message = "spec.model.inputs: feature names must be unique")
  @JsonPropertyDescription("Declared features (data expectations), in model column order.")
  public List<InputSpec> inputs;

  @JsonPropertyDescription("Declared outputs.")
  public OutputSpec outputs;
}
