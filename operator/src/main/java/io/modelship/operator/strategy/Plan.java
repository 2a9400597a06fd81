package io.modelship.operator.strategy;

import io.modelship.operator.api.Phase;
import java.util.Map;
import java.util.Set;

/**
 * A strategy's decision for this reconcile.
 *
 * @param replicas replicas per revision to keep (their Deployments are applied)
 * @param delete revisions whose Deployments go away
 * @param complete true when the desired revision serves alone and fully: it becomes stable
 * @param reason short CamelCase cause, for conditions and events
 */
public record Plan(
    Map<String, Integer> replicas,
    Set<String> delete,
    Phase phase,
    boolean complete,
    String reason,
    String message) {}
