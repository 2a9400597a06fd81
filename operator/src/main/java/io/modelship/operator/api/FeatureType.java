package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The value type of a declared feature, in JSON terms. */
public enum FeatureType {
  @JsonProperty("float")
  FLOAT,
  @JsonProperty("double")
  DOUBLE,
  @JsonProperty("integer")
  INTEGER,
  @JsonProperty("boolean")
  BOOLEAN,
  @JsonProperty("string")
  STRING
}
