package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelship.operator.desired.Labels;
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
      states.put(
          rev,
          new RevisionState(rev, spec, Math.min(ready, spec), own.size(), PodFailures.of(own)));
    }
    // Pods whose Deployment is already gone still count until they have stopped.
    podsByRevision.forEach(
        (rev, own) -> states.putIfAbsent(rev, new RevisionState(rev, 0, 0, own.size(), null)));
    return List.copyOf(states.values());
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
      out.computeIfAbsent(rev, k -> new ArrayList<>()).add(p.getStatus().getPodIP() + ":" + port);
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
