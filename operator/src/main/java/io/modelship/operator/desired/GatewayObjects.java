package io.modelship.operator.desired;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.modelship.operator.api.MatchRule;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.ParentRef;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.api.TrafficProvider;
import io.modelship.operator.revision.Revisions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The objects of the GatewayAPI traffic provider: the operator writes the split into an HTTPRoute
 * {@code <name>} that a Gateway API implementation (Envoy Gateway, Istio, Cilium, NGINX Gateway
 * Fabric...) enforces, instead of running its own router. A Canary's revisions each get a Service
 * {@code <name>-<revision>} for the route to point at; Recreate and RollingUpdate point it at the
 * Service {@code <name>}. Pure functions, like {@link DesiredObjects}.
 */
public final class GatewayObjects {
  public static final String API_VERSION = "gateway.networking.k8s.io/v1";
  public static final String KIND = "HTTPRoute";

  private GatewayObjects() {}

  /** Whether this spec sends its traffic through a Gateway API implementation. */
  public static boolean applies(ModelDeploymentSpec spec) {
    return spec.traffic != null && spec.traffic.provider == TrafficProvider.GatewayAPI;
  }

  /**
   * Whether the route splits by revision (Canary), rather than pointing at Service {@code <name>}.
   */
  public static boolean byRevision(ModelDeploymentSpec spec) {
    return spec.strategy != null && spec.strategy.type == StrategyType.Canary;
  }

  /** The Service of one revision, which the HTTPRoute's weighted backendRefs name. */
  public static Service revisionService(ModelDeployment md, String revision) {
    String mdName = md.getMetadata().getName();
    return new ServiceBuilder()
        .withMetadata(
            DesiredObjects.meta(
                md, Revisions.objectName(md, revision), Labels.of(mdName, revision)))
        .withNewSpec()
        .withSelector(new TreeMap<>(Map.of(Labels.NAME, mdName, Labels.REVISION, revision)))
        .addNewPort()
        .withName("http")
        .withPort(DesiredObjects.HTTP_PORT)
        .withTargetPort(new IntOrString("http"))
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }

  /**
   * The HTTPRoute {@code <name>}. With a candidate: first a rule that sends the requests matching
   * {@code match} (A/B) to it alone, then the weighted split between the two revisions' Services
   * (the rule with header matches takes precedence, as the Gateway API orders rules). Without one:
   * everything to the stable revision's Service, or to Service {@code <name>} when the route does
   * not split by revision.
   *
   * @param stable the stable revision, or null when the route points at Service {@code <name>}
   * @param candidate the candidate revision, or null
   * @param weight the candidate's percent of requests
   */
  public static GenericKubernetesResource route(
      ModelDeployment md, String stable, String candidate, int weight, List<MatchRule> match) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("parentRefs", parentRefs(md));
    List<String> hostnames = md.getSpec().traffic.hostnames;
    if (hostnames != null && !hostnames.isEmpty()) {
      spec.put("hostnames", hostnames);
    }
    List<Object> rules = new ArrayList<>();
    if (stable == null) {
      rules.add(ordered("backendRefs", List.of(backend(md.getMetadata().getName(), null))));
    } else if (candidate == null) {
      rules.add(ordered("backendRefs", List.of(backend(Revisions.objectName(md, stable), null))));
    } else {
      String cand = Revisions.objectName(md, candidate);
      if (match != null && !match.isEmpty()) {
        rules.add(
            ordered(
                "matches",
                match.stream().map(GatewayObjects::headerMatch).toList(),
                "backendRefs",
                List.of(backend(cand, null))));
      }
      rules.add(
          ordered(
              "backendRefs",
              List.of(
                  backend(Revisions.objectName(md, stable), 100 - weight), backend(cand, weight))));
    }
    spec.put("rules", rules);
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(API_VERSION);
    r.setKind(KIND);
    r.setMetadata(
        DesiredObjects.meta(md, md.getMetadata().getName(), Labels.of(md.getMetadata().getName())));
    r.setAdditionalProperty("spec", spec);
    return r;
  }

  private static List<Object> parentRefs(ModelDeployment md) {
    List<Object> out = new ArrayList<>();
    for (ParentRef p : md.getSpec().traffic.parentRefs) {
      Map<String, Object> ref = new LinkedHashMap<>();
      ref.put("group", "gateway.networking.k8s.io");
      ref.put("kind", "Gateway");
      ref.put("name", p.name);
      if (p.namespace != null) {
        ref.put("namespace", p.namespace);
      }
      if (p.sectionName != null) {
        ref.put("sectionName", p.sectionName);
      }
      out.add(ref);
    }
    return out;
  }

  private static Map<String, Object> backend(String service, Integer weight) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("group", "");
    b.put("kind", "Service");
    b.put("name", service);
    b.put("port", DesiredObjects.HTTP_PORT);
    if (weight != null) {
      b.put("weight", weight);
    }
    return b;
  }

  /** One A/B rule: all its headers must match exactly (sorted, so the route is the same bytes). */
  private static Map<String, Object> headerMatch(MatchRule rule) {
    List<Object> headers = new ArrayList<>();
    new TreeMap<>(rule.headers)
        .forEach(
            (name, value) -> headers.add(ordered("type", "Exact", "name", name, "value", value)));
    return ordered("headers", headers);
  }

  /**
   * A map that keeps its keys in the order given: the route serialises to the same bytes in every
   * run (Map.of's order changes from one JVM to the next), so its hash only changes with it.
   */
  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
