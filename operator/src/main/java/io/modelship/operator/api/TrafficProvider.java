package io.modelship.operator.api;

/** Who splits traffic between revisions. */
public enum TrafficProvider {
  Router,
  GatewayAPI,
  None
}
