package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How traffic is split. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrafficSpec {
  @JsonPropertyDescription("Router (built in, default), GatewayAPI or None.")
  public TrafficProvider provider;

  @Min(1)
  @Max(10)
  @JsonPropertyDescription(
      "Router pods (default 1). Each gets the same table at once; the analysis sums their"
          + " counters.")
  public Integer routerReplicas;
}
