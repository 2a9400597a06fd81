package io.modelship.operator.strategy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.modelship.operator.api.Phase;
import io.modelship.operator.api.RollingUpdateSpec;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RollingUpdate across revision Deployments, with the bounds a Deployment has: never more than
 * {@code replicas + maxSurge} pods, never fewer than {@code replicas - maxUnavailable} ready. The
 * client Service selects only ready pods, so traffic reaches only pods that can answer.
 */
public final class RollingUpdateStrategy implements RolloutStrategy {

  @Override
  public Plan next(RolloutInput in) {
    int replicas = in.replicas();
    int surge =
        resolve(
            in.rollingUpdate() == null ? null : in.rollingUpdate().maxSurge, replicas, "25%", true);
    int unavailable =
        resolve(
            in.rollingUpdate() == null ? null : in.rollingUpdate().maxUnavailable,
            replicas,
            "0",
            false);
    if (surge == 0 && unavailable == 0) {
      surge = 1; // as Deployments do: some progress must be possible
    }
    RevisionState d = in.state(in.desired());
    List<RevisionState> olds = in.others();
    int oldSpec = olds.stream().mapToInt(RevisionState::specReplicas).sum();
    int oldReady = olds.stream().mapToInt(RevisionState::readyReplicas).sum();
    if (oldSpec == 0) {
      return Rollouts.finish(in, "RollingUpdate: finishing");
    }

    // Scale up the new revision as far as the surge allows.
    int newSpec = Math.max(d.specReplicas(), Math.min(replicas, replicas + surge - oldSpec));
    // Scale down old pods: unready ones freely, ready ones only while enough stay ready.
    int minAvailable = replicas - unavailable;
    int oldUnready = Math.max(0, oldSpec - oldReady);
    int canRemoveReady = Math.max(0, oldReady + d.readyReplicas() - minAvailable);
    int remove = Math.min(oldSpec, oldUnready + canRemoveReady);

    Map<String, Integer> plan = new LinkedHashMap<>();
    plan.put(in.desired(), newSpec);
    // Oldest revisions (smallest first, to drain the stragglers) give up their pods first.
    List<RevisionState> order =
        olds.stream().sorted(Comparator.comparingInt(RevisionState::specReplicas)).toList();
    for (RevisionState o : order) {
      int take = Math.min(remove, o.specReplicas());
      remove -= take;
      plan.put(o.revision(), o.specReplicas() - take);
    }
    return new Plan(
        plan,
        Set.of(),
        Phase.Progressing,
        false,
        "RollingUpdate",
        "RollingUpdate: "
            + d.readyReplicas()
            + "/"
            + replicas
            + " of "
            + in.desired()
            + " ready, "
            + oldReady
            + " old ready (maxSurge "
            + surge
            + ", maxUnavailable "
            + unavailable
            + ")");
  }

  /**
   * Resolves an int-or-percent bound against the replica count: surge rounds up, unavailable down.
   */
  static int resolve(IntOrString value, int replicas, String fallback, boolean roundUp) {
    IntOrString v = value == null ? new IntOrString(fallback) : value;
    if (v.getIntVal() != null) {
      return v.getIntVal();
    }
    String s = v.getStrVal();
    if (s.endsWith("%")) {
      double pct = Double.parseDouble(s.substring(0, s.length() - 1));
      double exact = replicas * pct / 100.0;
      return (int) (roundUp ? Math.ceil(exact) : Math.floor(exact));
    }
    return Integer.parseInt(s);
  }

  /** For tests and docs: the defaults a Deployment would use. */
  public static RollingUpdateSpec defaults() {
    RollingUpdateSpec s = new RollingUpdateSpec();
    s.maxSurge = new IntOrString("25%");
    s.maxUnavailable = new IntOrString(0);
    return s;
  }
}
