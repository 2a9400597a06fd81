package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Where a batch run reads its rows: exactly one of a ConfigMap and a claim. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.configMap) != has(self.persistentVolumeClaim)",
    message = "spec.input: set exactly one of configMap and persistentVolumeClaim")
public class BatchInputSpec {

  @JsonPropertyDescription(
      "A ConfigMap in this namespace: one key, or (no key) every *.csv, *.jsonl and *.ndjson key.")
  public ConfigMapInput configMap;

  @JsonPropertyDescription("A file or directory on a PersistentVolumeClaim in this namespace.")
  public ClaimPath persistentVolumeClaim;

  /** A ConfigMap and optionally one of its keys. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ConfigMapInput {
    @Required
    @Size(min = 1, max = 253)
    public String name;

    @Size(min = 1, max = 253)
    @Pattern("^[-._a-zA-Z0-9]+\\.(csv|jsonl|ndjson)$")
    @JsonPropertyDescription(
        "The key holding the rows, a file name ending in .csv, .jsonl or .ndjson (the format is"
            + " told by it).")
    public String key;
  }

  /** A path inside a claim. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ClaimPath {
    @Required
    @Size(min = 1, max = 253)
    public String claimName;

    @Required
    @Size(min = 1, max = 1024)
    @ValidationRule(
        value = "!self.startsWith('/') && !self.contains('..')",
        message = "path must be relative to the claim's root and must not contain '..'")
    @JsonPropertyDescription("Relative to the claim's root: a file, or a directory of files.")
    public String path;
  }
}
