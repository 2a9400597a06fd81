package io.modelship.operator.desired;

import java.util.LinkedHashMap;
import java.util.Map;

/** The labels and annotations the operator puts on what it owns. */
public final class Labels {
  public static final String NAME = "modelship.io/name";
  public static final String REVISION = "modelship.io/revision";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String OPERATOR = "modelship-operator";

  /** Annotation carrying a user's request: promote, abort, retry. */
  public static final String ACTION = io.modelship.operator.api.RolloutAction.ANNOTATION;

  /** Annotation asking for a Canary candidate's share of traffic while a pause step waits. */
  public static final String SET_WEIGHT = io.modelship.operator.api.RolloutAction.SET_WEIGHT;

  private Labels() {}

  /** Labels of every object of one ModelDeployment. */
  public static Map<String, String> of(String mdName) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("app.kubernetes.io/name", "model-runtime");
    l.put("app.kubernetes.io/instance", mdName);
    l.put(MANAGED_BY, OPERATOR);
    l.put(NAME, mdName);
    return l;
  }

  /** Labels of the objects of one revision. */
  public static Map<String, String> of(String mdName, String revision) {
    Map<String, String> l = of(mdName);
    l.put(REVISION, revision);
    return l;
  }
}
