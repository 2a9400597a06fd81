package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Where a batch run writes predictions and rejected rows. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BatchOutputSpec {
  @Required
  @JsonPropertyDescription(
      "A directory on a PersistentVolumeClaim (path relative to its root, \".\" for the root);"
          + " created when missing. The pod writes as user and group 185.")
  public BatchInputSpec.ClaimPath persistentVolumeClaim;
}
