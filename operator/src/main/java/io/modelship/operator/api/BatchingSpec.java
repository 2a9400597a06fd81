package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** Dynamic batching settings. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BatchingSpec {
  @Required
  @Min(1)
  @Max(4096)
  public Integer maxBatchSize;

  @Required
  @Min(0)
  @Max(1000)
  public Integer maxDelayMs;
}
