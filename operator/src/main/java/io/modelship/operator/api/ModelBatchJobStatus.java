package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed of a ModelBatchJob's runs, written through the status subresource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelBatchJobStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  public BatchPhase phase;

  @JsonPropertyDescription("Why the phase is what it is, in a sentence.")
  public String message;

  @JsonPropertyDescription("The Job of the run under way or last run (a run-once job).")
  public String jobName;

  @JsonPropertyDescription("The CronJob of a scheduled job.")
  public String cronJobName;

  @JsonPropertyDescription("When the CronJob last started a run (RFC 3339).")
  public String lastScheduleTime;

  @JsonPropertyDescription("The run under way: rows so far, read from its log.")
  public BatchProgress progress;

  @JsonPropertyDescription("The last finished run.")
  public BatchRun lastRun;

  @JsonPropertyDescription("Ready (the Job or CronJob exists), Succeeded, Failed.")
  public List<Condition> conditions = new ArrayList<>();

  /** Live progress of a run. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BatchProgress {
    public String jobName;
    public Long rows;
    public Long rejected;

    @JsonPropertyDescription("Of the input read so far, by bytes; absent when unknown.")
    public Integer percent;

    @JsonPropertyDescription("When this was read from the pod's log (RFC 3339).")
    public String observedAt;

    @Override
    public boolean equals(Object o) {
      return o instanceof BatchProgress p
          && Objects.equals(jobName, p.jobName)
          && Objects.equals(rows, p.rows)
          && Objects.equals(rejected, p.rejected)
          && Objects.equals(percent, p.percent);
    }

    @Override
    public int hashCode() {
      return Objects.hash(jobName, rows, rejected, percent);
    }
  }

  /** A finished run, from its Job and its pod's termination message. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BatchRun {
    public String jobName;

    @JsonPropertyDescription("Succeeded or Failed.")
    public BatchPhase result;

    public String startTime;
    public String completionTime;
    public Long rowsRead;
    public Long rowsPredicted;
    public Long rowsRejected;
    public Double rowsPerSecond;

    @JsonPropertyDescription("Prediction files written, as paths inside the pod (/data/out/...).")
    public List<String> outputs;

    @JsonPropertyDescription("Rejects files written (rows refused, each with its reason).")
    public List<String> rejects;

    @JsonPropertyDescription("What went wrong, when the run failed.")
    public String message;

    @Override
    public boolean equals(Object o) {
      return o instanceof BatchRun r
          && Objects.equals(jobName, r.jobName)
          && result == r.result
          && Objects.equals(startTime, r.startTime)
          && Objects.equals(completionTime, r.completionTime)
          && Objects.equals(rowsRead, r.rowsRead)
          && Objects.equals(rowsPredicted, r.rowsPredicted)
          && Objects.equals(rowsRejected, r.rowsRejected)
          && Objects.equals(rowsPerSecond, r.rowsPerSecond)
          && Objects.equals(outputs, r.outputs)
          && Objects.equals(rejects, r.rejects)
          && Objects.equals(message, r.message);
    }

    @Override
    public int hashCode() {
      return Objects.hash(jobName, result, rowsRead, rowsPredicted, rowsRejected, message);
    }
  }
}
