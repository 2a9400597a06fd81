package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
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

  @ValidationRule(
      value = "self.size() >= 1 && self.size() <= 8",
      message = "parentRefs: 1 to 8 entries")
  @JsonPropertyDescription(
      "GatewayAPI: the Gateways the HTTPRoute <name> attaches to (its parentRefs).")
  public List<ParentRef> parentRefs;

  @ValidationRule(
      value =
          "self.size() <= 16 && self.all(h, h.matches('^(\\\\*\\\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))",
      message = "hostnames: at most 16 DNS names, optionally starting with *.")
  @JsonPropertyDescription("GatewayAPI: the HTTPRoute's hostnames (default: any).")
  public List<String> hostnames;
}
