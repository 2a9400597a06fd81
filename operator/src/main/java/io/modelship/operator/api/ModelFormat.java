package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Model file formats the runtime serves. */
public enum ModelFormat {
  @JsonProperty("onnx")
  ONNX
}
