package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** An analysis step; uses spec.analysis, optionally for a given duration. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisStep {
  @Size(max = Durations.MAX_LENGTH)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("Keep analysing this long before passing (default: one interval).")
  public String duration;
}
