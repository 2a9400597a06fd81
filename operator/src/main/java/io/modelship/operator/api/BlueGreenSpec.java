package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** BlueGreen: the candidate runs fully behind a preview Service until promoted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BlueGreenSpec {
  @Min(0)
  @Max(604800)
  @JsonPropertyDescription("Promote automatically after this many seconds (0: wait for promote).")
  public Integer autoPromotionSeconds;

  @Min(0)
  @Max(86400)
  @JsonPropertyDescription("Keep the old revision this long after promotion (default 30).")
  public Integer scaleDownDelaySeconds;
}
