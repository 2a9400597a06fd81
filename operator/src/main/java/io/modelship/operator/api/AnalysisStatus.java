package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The latest analysis figures of a rollout. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisStatus {
  public Long samples;
  public Double errorRate;
  public Double latencyP99Ms;
  public Double agreement;
  public Double labelShift;
  public Integer failures;
  public String evaluatedAt;
}
