package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What a ModelBatchJob asks for. Data only: decisions live in the operator's packages. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.model) != has(self.modelDeploymentRef)",
    message =
        "spec: set exactly one of model (a model of its own) and modelDeploymentRef (the model a"
            + " ModelDeployment serves)")
@ValidationRule(
    value = "!has(self.input.configMap) || has(self.output)",
    message =
        "spec.output is required when spec.input is a ConfigMap (a ConfigMap is read-only: say"
            + " which claim the predictions go to)")
@ValidationRule(
    value = "has(self.schedule) || (!has(self.suspend) && !has(self.timeZone))",
    message = "spec.suspend and spec.timeZone apply to a scheduled job only (set spec.schedule)")
@ValidationRule(
    value =
        "has(self.schedule) || (!has(self.successfulJobsHistoryLimit) &&"
            + " !has(self.failedJobsHistoryLimit))",
    message =
        "spec.successfulJobsHistoryLimit and spec.failedJobsHistoryLimit apply to a scheduled job"
            + " only (set spec.schedule)")
public class ModelBatchJobSpec {

  @JsonPropertyDescription(
      "The model to run and its card; the same fields as a ModelDeployment's spec.model.")
  public ModelSpec model;

  @JsonPropertyDescription(
      "Score with the model a ModelDeployment in this namespace serves (its stable revision's"
          + " model and card), instead of spec.model.")
  public ModelDeploymentRef modelDeploymentRef;

  @Required
  @JsonPropertyDescription("The input files: a ConfigMap or a path on a PersistentVolumeClaim.")
  public BatchInputSpec input;

  @JsonPropertyDescription(
      "Where predictions and rejected rows are written: a directory on a PersistentVolumeClaim."
          + " Default: beside the input (the directory holding spec.input.persistentVolumeClaim"
          + ".path); required when the input is a ConfigMap.")
  public BatchOutputSpec output;

  @JsonPropertyDescription(
      "Format of the input files: csv or jsonl. Default: from each file's extension.")
  public BatchFormat format;

  @Min(1)
  @Max(100000)
  @JsonPropertyDescription("Rows per model call (default 256).")
  public Integer batchSize;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription(
      "The run fails when more than this fraction of rows is rejected (default: never; rejected"
          + " rows go to the rejects file with the reason).")
  public Double maxRejectedFraction;

  @Size(min = 1, max = 128)
  @ValidationRule(
      value =
          "self.matches('^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$')"
              + " || self.matches('^[-0-9*/,?A-Za-z]+( +[-0-9*/,?A-Za-z]+){4}$')",
      message =
          "spec.schedule must be a cron expression of five fields (minute hour day-of-month month"
              + " day-of-week, e.g. \"*/5 * * * *\") or @hourly, @daily, @weekly, @monthly,"
              + " @yearly; a time zone goes in spec.timeZone, not in the schedule")
  @JsonPropertyDescription(
      "Cron schedule (\"*/5 * * * *\", @daily...): runs as a CronJob. Absent: runs once, as a"
          + " Job.")
  public String schedule;

  @Size(min = 1, max = 64)
  @Pattern("^[A-Za-z][A-Za-z0-9_+/-]*$")
  @JsonPropertyDescription(
      "IANA time zone of spec.schedule (\"Europe/Paris\"); default: the kube-controller-manager's.")
  public String timeZone;

  @JsonPropertyDescription("A scheduled job starts no new runs while true (default false).")
  public Boolean suspend;

  @JsonPropertyDescription("The batch container: image and resources.")
  public BatchRuntimeSpec runtime;

  @Min(0)
  @Max(100)
  @JsonPropertyDescription(
      "Retries of a run whose pod failed for a reason a retry can fix (an I/O error, a lost"
          + " node). Bad arguments, a model that cannot be served and too many rejected rows fail"
          + " the run at once. Default 1.")
  public Integer backoffLimit;

  @Min(1)
  @Max(2592000)
  @JsonPropertyDescription("A run taking longer than this fails (seconds; default: no limit).")
  public Long activeDeadlineSeconds;

  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Finished successful runs kept by a scheduled job (default 3).")
  public Integer successfulJobsHistoryLimit;

  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Finished failed runs kept by a scheduled job (default 1).")
  public Integer failedJobsHistoryLimit;
}
