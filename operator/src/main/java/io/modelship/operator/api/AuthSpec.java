package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** API-key auth. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AuthSpec {
  @Required
  @JsonPropertyDescription("Secret holding the accepted keys, one per line.")
  public SecretKeyRef apiKeySecretRef;
}
