package io.modelship.operator.strategy;

import io.modelship.operator.api.Phase;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Recreate: every old pod is gone before the new revision starts. Downtime by design; for models
 * that cannot run twice side by side (memory, licences, GPUs).
 */
public final class RecreateStrategy implements RolloutStrategy {

  @Override
  public Plan next(RolloutInput in) {
    boolean oldRunning = in.others().stream().anyMatch(o -> o.specReplicas() > 0 || o.pods() > 0);
    if (!oldRunning) {
      return Rollouts.finish(in, "Recreate: starting the new revision");
    }
    Map<String, Integer> replicas = new LinkedHashMap<>();
    int remaining = 0;
    for (RevisionState o : in.others()) {
      replicas.put(o.revision(), 0);
      remaining += o.pods();
    }
    replicas.put(in.desired(), 0);
    return new Plan(
        replicas,
        Set.of(),
        Phase.Progressing,
        false,
        "ScalingDownOldRevision",
        "Recreate: waiting for "
            + remaining
            + " pod(s) of the old revision to stop before "
            + in.desired()
            + " starts");
  }
}
