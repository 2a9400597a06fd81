package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Percent of client traffic per revision, and percent mirrored to the candidate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrafficStatus {
  public Integer stable;
  public Integer candidate;
  public Integer mirrored;

  public TrafficStatus() {}

  public TrafficStatus(int stable, int candidate, int mirrored) {
    this.stable = stable;
    this.candidate = candidate;
    this.mirrored = mirrored;
  }
}
