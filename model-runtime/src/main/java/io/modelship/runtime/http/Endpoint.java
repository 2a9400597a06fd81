package io.modelship.runtime.http;

/** The prediction APIs, as named in metrics. */
public enum Endpoint {
  /** {@code POST /models/{name}/predict}, the readable form. */
  PREDICT("predict"),
  /** {@code POST /v1/models/{name}:predict}, KServe v1. */
  V1_PREDICT("v1_predict"),
  /** {@code POST /v2/models/{name}/infer}, Open Inference Protocol v2. */
  V2_INFER("v2_infer"),
  /** {@code GET /v2/models/{name}}. */
  V2_METADATA("v2_metadata");

  private final String tag;

  Endpoint(String tag) {
    this.tag = tag;
  }

  public String tag() {
    return tag;
  }
}
