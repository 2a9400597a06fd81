package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** How traffic is split. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.parentRefs) || self.provider == 'GatewayAPI'",
    message = "spec.traffic.parentRefs is only allowed when provider is GatewayAPI")
@ValidationRule(
    value = "!has(self.hostnames) || self.provider == 'GatewayAPI'",
    message = "spec.traffic.hostnames is only allowed when provider is GatewayAPI")
@ValidationRule(
    value = "!has(self.provider) || self.provider != 'GatewayAPI' || has(self.parentRefs)",
    message =
        "spec.traffic.parentRefs (the Gateway to attach to) is required when provider is"
            + " GatewayAPI")
@ValidationRule(
    value = "!has(self.routerReplicas) || !has(self.provider) || self.provider == 'Router'",
    message = "spec.traffic.routerReplicas is only allowed with the Router provider")
public class TrafficSpec {
  @JsonPropertyDescription("Router (built in, default), GatewayAPI or None.")
  public TrafficProvider provider;

  @Min(1)
  @Max(10)
  @JsonPropertyDescription(
      "Router pods (default 1). Each gets the same table at once; the analysis sums their"
          + " counters.")
  public Integer routerReplicas;

  @Size(min = 1, max = 8)
  @JsonPropertyDescription(
      "GatewayAPI: the Gateways the HTTPRoute <name> attaches to (its parentRefs), 1 to 8.")
  public List<ParentRef> parentRefs;

  @Size(max = 16)
  @JsonPropertyDescription(
      "GatewayAPI: the HTTPRoute's hostnames, at most 16 DNS names, each optionally starting with"
          + " *. (default: any; checked by the operator).")
  public List<@Size(max = 253) String> hostnames;
}
