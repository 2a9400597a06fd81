package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;

/** RollingUpdate bounds, as in a Deployment. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.maxSurge) || !has(self.maxUnavailable) || !(self.maxSurge == 0 ||"
            + " self.maxSurge == '0%') || !(self.maxUnavailable == 0 || self.maxUnavailable =="
            + " '0%')",
    message = "maxSurge and maxUnavailable must not both be zero")
public class RollingUpdateSpec {
  @ValidationRule(
      value =
          "type(self) == int ? self >= 0 && self <= 1000 :"
              + " self.matches('^(100|[1-9]?[0-9])%$')",
      message = "maxSurge must be an integer from 0 to 1000 or a percentage such as 25%")
  @JsonPropertyDescription("Pods above the desired count during the update (default 25%).")
  public IntOrString maxSurge;

  @ValidationRule(
      value =
          "type(self) == int ? self >= 0 && self <= 1000 :"
              + " self.matches('^(100|[1-9]?[0-9])%$')",
      message = "maxUnavailable must be an integer from 0 to 1000 or a percentage such as 25%")
  @JsonPropertyDescription("Pods that may be unavailable during the update (default 0).")
  public IntOrString maxUnavailable;
}
