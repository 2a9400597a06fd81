package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Shadow: the candidate sees mirrored traffic; users only ever get the stable answer. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShadowSpec {
  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Percent of requests mirrored to the candidate (default 100).")
  public Integer mirrorPercent;

  @Size(max = Durations.MAX_LENGTH)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("How long to shadow before deciding (default 10m).")
  public String duration;
}
