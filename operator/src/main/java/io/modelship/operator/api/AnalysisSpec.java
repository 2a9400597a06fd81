package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Gates for promotion; changing them never starts a rollout. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisSpec {
  @Size(max = Durations.MAX_LENGTH)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("How often the gates are evaluated (default 30s).")
  public String interval;

  // Bounded like every integer of the spec: a larger number passes a schema without a maximum
  // (int64) but cannot be read into the operator's int, and one unreadable ModelDeployment
  // would stop the operator's cache for all of them.
  @Min(1)
  @Max(1_000_000_000)
  @JsonPropertyDescription("Never decide on fewer requests than this (default 100).")
  public Integer minSamples;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Highest acceptable share of failed requests, 0-1.")
  public Double maxErrorRate;

  @Min(0)
  @JsonPropertyDescription("Highest acceptable p99 latency in milliseconds.")
  public Double maxLatencyP99Ms;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Shadow: lowest acceptable share of identical predictions, 0-1.")
  public Double minAgreement;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription(
      "Highest acceptable shift between the candidate's and the stable's label distributions,"
          + " 0-1: the share of answers that would have to change label to make them equal"
          + " (total variation distance).")
  public Double maxLabelShift;

  @JsonPropertyDescription("What too few samples means: Pause (default), Fail or Pass.")
  public OnNoData onNoData;

  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Failed evaluations tolerated before rollback (default 0).")
  public Integer failureLimit;
}
