package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How traffic is split. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrafficSpec {
  @JsonPropertyDescription("Router (built in, default), GatewayAPI or None.")
  public TrafficProvider provider;
}
