package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Gateway (or one of its listeners) that the HTTPRoute attaches to, as Gateway API names it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ParentRef {
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
  @JsonPropertyDescription("The Gateway's name.")
  public String name;

  @Pattern("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
  @JsonPropertyDescription("Its namespace (default: the ModelDeployment's).")
  public String namespace;

  @Pattern("^[a-z0-9]([-a-z0-9]{0,251}[a-z0-9])?$")
  @JsonPropertyDescription("A listener of the Gateway, by name (default: all that allow it).")
  public String sectionName;
}
