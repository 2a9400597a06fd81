package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** A pause, timed or until promoted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PauseStep {
  @Size(max = Durations.MAX_LENGTH)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("How long, as 30s, 5m, 1h30m; absent: until promoted.")
  public String duration;
}
