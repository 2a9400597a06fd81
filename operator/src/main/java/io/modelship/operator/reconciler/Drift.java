package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether an owned object must be written again: it is missing, what the operator last applied has
 * changed, or someone else changed a field that matters (replicas, images, arguments, selectors,
 * ports, card content, an autoscaler's bounds and metrics). Fields the API server defaults are not
 * compared. Pure.
 */
final class Drift {
  static final String APPLIED = "modelship.io/applied-hash";

  private Drift() {}

  static boolean needsApply(HasMetadata desired, HasMetadata cached, String desiredHash) {
    if (cached == null) {
      return true;
    }
    Map<String, String> a = cached.getMetadata().getAnnotations();
    if (a == null || !desiredHash.equals(a.get(APPLIED))) {
      return true;
    }
    if (desired instanceof Deployment d && cached instanceof Deployment c) {
      // A Deployment applied without replicas is sized by its autoscaler, not compared.
      return (d.getSpec().getReplicas() != null
              && !Objects.equals(d.getSpec().getReplicas(), c.getSpec().getReplicas()))
          || !containers(d.getSpec().getTemplate().getSpec().getContainers())
              .equals(containers(c.getSpec().getTemplate().getSpec().getContainers()))
          || !containers(d.getSpec().getTemplate().getSpec().getInitContainers())
              .equals(containers(c.getSpec().getTemplate().getSpec().getInitContainers()));
    }
    if (desired instanceof Service d && cached instanceof Service c) {
      return !Objects.equals(d.getSpec().getSelector(), c.getSpec().getSelector())
          || !ports(d.getSpec().getPorts()).equals(ports(c.getSpec().getPorts()));
    }
    if (desired instanceof HorizontalPodAutoscaler d
        && cached instanceof HorizontalPodAutoscaler c) {
      return !autoscaler(d).equals(autoscaler(c));
    }
    if (desired instanceof ConfigMap d && cached instanceof ConfigMap c) {
      return !Objects.equals(d.getData(), c.getData());
    }
    if (desired instanceof GenericKubernetesResource d
        && cached instanceof GenericKubernetesResource c) {
      return !backends(d).equals(backends(c));
    }
    return false;
  }

  /**
   * An HTTPRoute's split as "service=weight" per rule (a missing weight is the API's default of 1):
   * what another writer must not change. Other fields are compared by the hash alone, since the API
   * server fills in defaults (a rule's path match, for one).
   */
  @SuppressWarnings("unchecked")
  static List<List<String>> backends(GenericKubernetesResource route) {
    Object spec = route.getAdditionalProperties().get("spec");
    Object rules = spec instanceof Map<?, ?> m ? m.get("rules") : null;
    if (!(rules instanceof List<?> rs)) {
      return List.of();
    }
    return rs.stream()
        .map(
            r -> {
              Object refs = r instanceof Map<?, ?> rm ? rm.get("backendRefs") : null;
              if (!(refs instanceof List<?> bs)) {
                return List.<String>of();
              }
              return bs.stream()
                  .map(
                      b -> {
                        Map<String, Object> bm = (Map<String, Object>) b;
                        Object w = bm.get("weight");
                        return bm.get("name") + "=" + (w == null ? 1 : ((Number) w).intValue());
                      })
                  .toList();
            })
        .toList();
  }

  /** What another writer must not change in an autoscaler: its target, bounds and metrics. */
  static List<String> autoscaler(HorizontalPodAutoscaler h) {
    var s = h.getSpec();
    List<String> out = new java.util.ArrayList<>();
    out.add(s.getScaleTargetRef() == null ? null : s.getScaleTargetRef().getName());
    out.add(s.getMinReplicas() + "-" + s.getMaxReplicas());
    if (s.getMetrics() != null) {
      for (var m : s.getMetrics()) {
        out.add(
            m.getType()
                + (m.getResource() == null
                    ? ""
                    : m.getResource().getName()
                        + "="
                        + m.getResource().getTarget().getAverageUtilization())
                + (m.getPods() == null
                    ? ""
                    : m.getPods().getMetric().getName()
                        + "="
                        + m.getPods().getTarget().getAverageValue()));
      }
    }
    return out;
  }

  private static List<String> containers(List<Container> cs) {
    return cs == null
        ? List.of()
        : cs.stream()
            .map(c -> c.getName() + "|" + c.getImage() + "|" + c.getArgs() + "|" + c.getEnv())
            .toList();
  }

  private static List<String> ports(List<ServicePort> ps) {
    return ps == null
        ? List.of()
        : ps.stream().map(p -> p.getName() + "|" + p.getPort() + "|" + p.getTargetPort()).toList();
  }
}
