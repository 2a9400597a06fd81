package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed and decided, written through the status subresource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelDeploymentStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  public Phase phase;

  @JsonPropertyDescription("Revision serving clients.")
  public String stableRevision;

  @JsonPropertyDescription("Revision being rolled out, if any.")
  public String candidateRevision;

  @JsonPropertyDescription("Index of the current canary step.")
  public Integer currentStep;

  @JsonPropertyDescription("When the current canary step began (RFC 3339).")
  public String stepStartedAt;

  @JsonPropertyDescription(
      "Percent of client traffic set by hand for the candidate (modelship.io/set-weight, taken at"
          + " a pause step); it holds until the next setWeight step has moved the traffic.")
  public Integer manualWeight;

  @JsonPropertyDescription(
      "After a BlueGreen switch: until when the previous revision is kept at full size (RFC 3339).")
  public String scaleDownAt;

  public TrafficStatus traffic;

  public AnalysisStatus analysis;

  @JsonPropertyDescription(
      "A revision that failed or was aborted; not retried until the spec changes.")
  public String rejectedRevision;

  @JsonPropertyDescription("Where clients reach the model.")
  public String url;

  @JsonPropertyDescription("Serving pods of the stable revision, and how many are ready.")
  public Integer replicas;

  public Integer readyReplicas;

  @JsonPropertyDescription(
      "With spec.autoscaling, while a RollingUpdate or Recreate moves pods to the candidate: its"
          + " full size, the stable revision's scale when the rollout began (within"
          + " minReplicas..maxReplicas).")
  public Integer rolloutReplicas;

  @JsonPropertyDescription(
      "The latest rollouts, oldest first (at most 10): each revision rolled out, how it ended and"
          + " its share of traffic over time.")
  public List<RolloutRecord> history;

  @JsonPropertyDescription("Ready, Progressing, Available, Degraded.")
  public List<Condition> conditions = new ArrayList<>();
}
