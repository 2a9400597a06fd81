package io.modelship.operator.strategy;

import io.modelship.operator.api.AutoscalingSpec;
import java.util.Set;

/**
 * Scale decisions under {@code spec.autoscaling} (pure). A HorizontalPodAutoscaler sizes the
 * revision that serves; the operator sizes only what a rollout moves:
 *
 * <ul>
 *   <li>The full size of a revision is the stable revision's current scale (what its autoscaler
 *       chose), kept within {@code minReplicas..maxReplicas}; before any revision serves, {@code
 *       minReplicas}.
 *   <li>Canary, BlueGreen and Shadow keep the stable revision at full size during a rollout: it
 *       keeps its autoscaler, and the candidate follows the stable's scale as it moves.
 *   <li>RollingUpdate and Recreate move pods from the stable revision to the candidate: the stable
 *       loses its autoscaler when the rollout starts, and the full size is the scale it had then
 *       (remembered in {@code status.rolloutReplicas}), until the stable is at full size again.
 *   <li>The candidate never has an autoscaler before it becomes stable.
 * </ul>
 */
public final class Autoscaling {
  private Autoscaling() {}

  public static int min(AutoscalingSpec a) {
    return a.minReplicas == null ? 1 : a.minReplicas;
  }

  /** {@code n} within {@code minReplicas..maxReplicas}. */
  public static int clamp(AutoscalingSpec a, int n) {
    return Math.max(min(a), Math.min(a.maxReplicas, n));
  }

  /**
   * The full size of a revision this reconcile: what {@link RolloutInput#replicas()} is.
   *
   * @param a spec.autoscaling, or null
   * @param fixed spec.replicas (used without autoscaling)
   * @param stable what is observed of the stable revision, or null before the first
   * @param remembered status.rolloutReplicas
   * @param keepsStable the rollout strategy keeps the stable revision at full size (Canary,
   *     BlueGreen and Shadow, which step through the router or a Gateway)
   */
  public static int fullSize(
      AutoscalingSpec a,
      Integer fixed,
      RevisionState stable,
      Integer remembered,
      boolean keepsStable) {
    if (a == null) {
      return fixed == null ? 1 : fixed;
    }
    if (remembered != null && !keepsStable) {
      return clamp(a, remembered);
    }
    return stable == null ? min(a) : clamp(a, stable.specReplicas());
  }

  /**
   * What {@code status.rolloutReplicas} says after this reconcile: the full size while pods move
   * from the stable revision to a candidate, and after such a rollout is aborted until the stable
   * is back at that size; null otherwise.
   *
   * @param stable what is observed of the stable revision after this decision, or null
   */
  public static Integer remember(
      AutoscalingSpec a,
      Decision d,
      int fullSize,
      RevisionState stable,
      Integer remembered,
      boolean keepsStable) {
    if (a == null || keepsStable) {
      return null;
    }
    if (d.candidate() != null) {
      return fullSize;
    }
    if (remembered != null && stable != null && stable.specReplicas() < fullSize) {
      return fullSize;
    }
    return null;
  }

  /**
   * The revisions that have a HorizontalPodAutoscaler after this decision; the operator writes no
   * replica count for them. At most the stable revision, when no rollout moves its pods.
   */
  public static Set<String> autoscaled(
      AutoscalingSpec a,
      Decision d,
      RevisionState stable,
      Integer remembered,
      boolean keepsStable) {
    if (a == null || d.stable() == null || !d.plan().replicas().containsKey(d.stable())) {
      return Set.of();
    }
    if (d.candidate() != null && !keepsStable) {
      return Set.of(); // the operator moves its pods to the candidate
    }
    if (remembered != null
        && !keepsStable
        && (stable == null || stable.specReplicas() < clamp(a, remembered))) {
      return Set.of(); // back to full size first, after an aborted rollout
    }
    return Set.of(d.stable());
  }
}
