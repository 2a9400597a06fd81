package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** What a ModelDeployment asks for. Data only: decisions live in the operator's packages. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.replicas) && has(self.autoscaling))",
    message = "spec: set either replicas or autoscaling, not both")
@ValidationRule(
    value =
        "!has(self.queue) || !has(self.strategy) || self.strategy.type == 'Recreate'"
            + " || self.strategy.type == 'RollingUpdate'",
    message =
        "spec.queue: a queue worker has no HTTP traffic to split, preview or mirror; use"
            + " strategy.type Recreate or RollingUpdate")
public class ModelDeploymentSpec {

  @Required
  @JsonPropertyDescription("The model to serve and its declared contract (the model card).")
  public ModelSpec model;

  @Min(0)
  @Max(1000)
  @JsonPropertyDescription(
      "Serving pods per revision (default 1). Changing it never starts a rollout.")
  public Integer replicas;

  @Min(10)
  @Max(86400)
  @JsonPropertyDescription(
      "A new revision whose pods make no progress this long (not ready, not crashing: stuck"
          + " starting, unschedulable) is rolled back (default 600).")
  public Integer progressDeadlineSeconds;

  @JsonPropertyDescription("The serving container: image, resources, batching.")
  public RuntimeSpec runtime;

  @JsonPropertyDescription("How a new revision replaces the serving one (default RollingUpdate).")
  public StrategySpec strategy;

  @JsonPropertyDescription("Gates that decide promotion or rollback (BlueGreen, Canary, Shadow).")
  public AnalysisSpec analysis;

  @JsonPropertyDescription("How client traffic is split between revisions.")
  public TrafficSpec traffic;

  @JsonPropertyDescription(
      "Optional pre-processing container in front of the runtime in each pod (versioned with the"
          + " revision).")
  public TransformerSpec transformer;

  @JsonPropertyDescription("Optional API-key auth on the prediction endpoints.")
  public AuthSpec auth;

  @JsonPropertyDescription("Horizontal autoscaling instead of fixed replicas.")
  public AutoscalingSpec autoscaling;

  @JsonPropertyDescription(
      "Queue mode: the pods also read prediction requests from Kafka and write replies; part of"
          + " the revision (docs/queue.md).")
  public QueueSpec queue;

  @JsonPropertyDescription("Freezes a rollout where it stands; serving continues.")
  public Boolean paused;
}
