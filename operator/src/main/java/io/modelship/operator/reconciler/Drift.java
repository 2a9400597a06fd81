package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether an owned object must be written again: it is missing, what the operator last applied has
 * changed, or someone else changed a field that matters (replicas, images, arguments, selectors,
 * ports, card content). Fields the API server defaults are not compared. Pure.
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
      return !Objects.equals(d.getSpec().getReplicas(), c.getSpec().getReplicas())
          || !containers(d.getSpec().getTemplate().getSpec().getContainers())
              .equals(containers(c.getSpec().getTemplate().getSpec().getContainers()))
          || !containers(d.getSpec().getTemplate().getSpec().getInitContainers())
              .equals(containers(c.getSpec().getTemplate().getSpec().getInitContainers()));
    }
    if (desired instanceof Service d && cached instanceof Service c) {
      return !Objects.equals(d.getSpec().getSelector(), c.getSpec().getSelector())
          || !ports(d.getSpec().getPorts()).equals(ports(c.getSpec().getPorts()));
    }
    if (desired instanceof ConfigMap d && cached instanceof ConfigMap c) {
      return !Objects.equals(d.getData(), c.getData());
    }
    return false;
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
