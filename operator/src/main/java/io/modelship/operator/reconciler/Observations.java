package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelship.operator.desired.Labels;
import io.modelship.operator.desired.Transformers;
import io.modelship.operator.strategy.Failure;
import io.modelship.operator.strategy.PodFailures;
import io.modelship.operator.strategy.RevisionState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Turns the cached Deployments and Pods of a ModelDeployment into revision states. Pure. */
public final class Observations {
  private Observations() {}

  public static List<RevisionState> revisions(
      Collection<Deployment> deployments, Collection<Pod> pods) {
    Map<String, List<Pod>> podsByRevision = new TreeMap<>();
    for (Pod p : pods) {
      String rev = label(p.getMetadata().getLabels());
      if (rev != null && !finished(p)) {
        podsByRevision.computeIfAbsent(rev, k -> new ArrayList<>()).add(p);
      }
    }
    Map<String, RevisionState> states = new LinkedHashMap<>();
    for (Deployment d : deployments) {
      String rev = label(d.getMetadata().getLabels());
      if (rev == null || d.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      int spec =
          d.getSpec() == null || d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
      int ready =
          d.getStatus() == null || d.getStatus().getReadyReplicas() == null
              ? 0
              : d.getStatus().getReadyReplicas();
      List<Pod> own = podsByRevision.getOrDefault(rev, List.of());
      Failure failure = PodFailures.of(own);
      states.put(
          rev,
          new RevisionState(
              rev,
              spec,
              Math.min(ready, spec),
              own.size(),
              failure != null ? failure : stalled(d, rev)));
    }
    // Pods whose Deployment is already gone still count until they have stopped.
    podsByRevision.forEach(
        (rev, own) -> states.putIfAbsent(rev, new RevisionState(rev, 0, 0, own.size(), null)));
    return List.copyOf(states.values());
  }

  /**
   * A revision whose Deployment the Deployment controller reports stuck: no progress within its
   * {@code progressDeadlineSeconds} (pods that never get ready without crashing, or that cannot be
   * scheduled). Null otherwise.
   */
  static Failure stalled(Deployment d, String revision) {
    if (d.getStatus() == null || d.getStatus().getConditions() == null) {
      return null;
    }
    return d.getStatus().getConditions().stream()
        .filter(
            c ->
                "Progressing".equals(c.getType())
                    && "False".equals(c.getStatus())
                    && "ProgressDeadlineExceeded".equals(c.getReason()))
        .findFirst()
        .map(
            c ->
                new Failure(
                    "ProgressDeadlineExceeded",
                    "revision "
                        + revision
                        + " made no progress within "
                        + (d.getSpec().getProgressDeadlineSeconds() == null
                            ? "its deadline"
                            : d.getSpec().getProgressDeadlineSeconds() + " s")
                        + " ("
                        + (c.getMessage() == null ? "pods not ready" : c.getMessage())
                        + ")"))
        .orElse(null);
  }

  /**
   * The {@code ip:port} of every ready, not terminating runtime pod, by revision: the endpoints a
   * router sends traffic to (as an EndpointSlice would list them).
   */
  public static Map<String, List<String>> readyEndpoints(Collection<Pod> pods, int port) {
    Map<String, List<String>> out = new TreeMap<>();
    for (Pod p : pods) {
      String rev = label(p.getMetadata().getLabels());
      if (rev == null
          || p.getMetadata().getDeletionTimestamp() != null
          || p.getStatus() == null
          || p.getStatus().getPodIP() == null
          || !ready(p)) {
        continue;
      }
      // A revision with a transformer on another port says so on its pods.
      int at =
          p.getMetadata().getAnnotations() != null
                  && p.getMetadata().getAnnotations().containsKey(Transformers.SERVING_PORT)
              ? Transformers.servingPort(p.getMetadata().getAnnotations())
              : port;
      out.computeIfAbsent(rev, k -> new ArrayList<>()).add(p.getStatus().getPodIP() + ":" + at);
    }
    out.values().forEach(l -> l.sort(null));
    return out;
  }

  private static boolean ready(Pod p) {
    return p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static String label(Map<String, String> labels) {
    return labels == null ? null : labels.get(Labels.REVISION);
  }

  private static boolean finished(Pod p) {
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }
}
