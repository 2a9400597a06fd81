package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The candidate's share of traffic from a moment on. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrafficPoint {
  @JsonPropertyDescription("From when (RFC 3339).")
  public String at;

  @JsonPropertyDescription("Index of the Canary step then, if any.")
  public Integer step;

  @JsonPropertyDescription("Percent of client traffic to the candidate.")
  public Integer weight;

  @JsonPropertyDescription("Percent of requests mirrored to the candidate (Shadow).")
  public Integer mirrored;

  public TrafficPoint() {}

  public TrafficPoint(String at, Integer step, Integer weight, Integer mirrored) {
    this.at = at;
    this.step = step;
    this.weight = weight;
    this.mirrored = mirrored;
  }
}
