package io.modelship.operator.strategy;

import io.modelship.operator.api.Phase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Steps every strategy shares. */
final class Rollouts {
  private Rollouts() {}

  /**
   * A moment in a status message, to the second (rounded up). A message says when a wait ends, not
   * how long is left: then it stays the same from one reconcile to the next, and the status is not
   * written again every few seconds while a rollout waits.
   */
  static String at(Instant t) {
    Instant s = t.truncatedTo(ChronoUnit.SECONDS);
    return (s.equals(t) ? s : s.plusSeconds(1)).toString();
  }

  /** The desired revision at full size; everything else removed once it is fully ready. */
  static Plan finish(RolloutInput in, String what) {
    RevisionState d = in.state(in.desired());
    boolean ready = d.readyReplicas() >= in.replicas() && d.specReplicas() == in.replicas();
    Map<String, Integer> replicas = new LinkedHashMap<>();
    replicas.put(in.desired(), in.replicas());
    Set<String> others =
        in.others().stream().map(RevisionState::revision).collect(Collectors.toSet());
    if (ready) {
      return new Plan(
          replicas,
          others,
          Phase.Healthy,
          true,
          "RolloutComplete",
          "revision "
              + in.desired()
              + " serves with "
              + d.readyReplicas()
              + "/"
              + in.replicas()
              + " replicas ready");
    }
    // Keep the others at whatever they run now until the desired revision is fully ready.
    for (RevisionState o : in.others()) {
      replicas.put(o.revision(), o.specReplicas());
    }
    return new Plan(
        replicas,
        Set.of(),
        in.stable() == null ? Phase.Pending : Phase.Progressing,
        false,
        "WaitingForReady",
        what
            + ": "
            + d.readyReplicas()
            + "/"
            + in.replicas()
            + " replicas of "
            + in.desired()
            + " ready");
  }
}
