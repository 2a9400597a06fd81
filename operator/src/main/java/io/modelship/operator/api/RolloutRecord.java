package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** One rollout of a revision, as status keeps it in {@code status.history}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutRecord {
  @JsonPropertyDescription("The revision rolled out.")
  public String revision;

  @JsonPropertyDescription("The revision that served when the rollout began, if any.")
  public String previousRevision;

  @JsonPropertyDescription("The model rolled out, as name:version.")
  public String model;

  @JsonPropertyDescription("The strategy it was rolled out with.")
  public String strategy;

  @JsonPropertyDescription("When the rollout began (RFC 3339).")
  public String startedAt;

  @JsonPropertyDescription("When it ended (RFC 3339); absent while it runs.")
  public String finishedAt;

  @JsonPropertyDescription(
      "Promoted, RolledBack (a gate or a failure), Aborted (modelship.io/action=abort) or"
          + " Superseded (the spec changed to another revision); absent while it runs.")
  public String outcome;

  @JsonPropertyDescription("Why it ended so, in the operator's words.")
  public String reason;

  @JsonPropertyDescription(
      "The candidate's share of client traffic each time it changed (at most 30 points).")
  public List<TrafficPoint> traffic = new ArrayList<>();

  public RolloutRecord() {}
}
