package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** Dynamic batching settings, passed to the runtime as its batching flags. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BatchingSpec {
  @Required
  @Min(1)
  @Max(4096)
  @JsonPropertyDescription(
      "Rows per model call at most: concurrent requests are gathered into one call of up to this"
          + " many rows; 1 turns batching off.")
  public Integer maxBatchSize;

  @Required
  @Min(0)
  @Max(1000)
  @JsonPropertyDescription(
      "How long, in milliseconds, the first request of a batch waits for others while the model"
          + " is free; 0 waits only for requests that arrived with it.")
  public Integer maxDelayMs;
}
