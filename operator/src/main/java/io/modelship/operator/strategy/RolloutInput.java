package io.modelship.operator.strategy;

import io.modelship.operator.api.RollingUpdateSpec;
import java.util.List;

/**
 * Everything a strategy decides from: a pure snapshot of spec and observed state.
 *
 * @param desired the revision the spec asks for
 * @param stable the revision that serves clients (status.stableRevision), or null before the first
 * @param replicas the desired replica count
 * @param revisions every revision that has a Deployment, the desired one included if it exists
 */
public record RolloutInput(
    String desired,
    String stable,
    int replicas,
    List<RevisionState> revisions,
    RollingUpdateSpec rollingUpdate) {

  public RevisionState state(String revision) {
    return revisions.stream()
        .filter(r -> r.revision().equals(revision))
        .findFirst()
        .orElse(RevisionState.absent(revision));
  }

  /** Revisions other than the desired one. */
  public List<RevisionState> others() {
    return revisions.stream().filter(r -> !r.revision().equals(desired)).toList();
  }
}
