package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the API server checks of the objects the operator writes, as far as a spec can change them:
 * names, labels, sizes, references. {@link #problems} lists each rule an object breaks.
 */
final class KubernetesLimits {
  static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  static final Pattern DNS_1035_LABEL = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
  static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  static final Pattern LABEL_VALUE =
      Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
  static final Pattern QUALIFIED_NAME =
      Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
  static final Pattern CONFIG_KEY = Pattern.compile("^[-._a-zA-Z0-9]+$");
  static final Pattern ROUTE_HOSTNAME =
      Pattern.compile(
          "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  static final Pattern HEADER_NAME = Pattern.compile("^[A-Za-z0-9!#$%&'*+\\-.^_`|~]+$");
  static final Pattern PORT_NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

  /** A ConfigMap's or Secret's data, and an object's annotations, at most. */
  static final int MIB = 1024 * 1024;

  /** What etcd stores in one request by default (1.5 MiB). */
  static final int OBJECT_LIMIT = 3 * MIB / 2;

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private KubernetesLimits() {}

  static List<String> problems(HasMetadata o) {
    List<String> p = new ArrayList<>();
    String what = o.getKind() + " " + o.getMetadata().getName();
    String name = o.getMetadata().getName();
    // Every object the operator names is also a label value or a DNS label somewhere (pod
    // names, Service hostnames): the strictest rule, 63 characters, holds for all.
    if (name == null || name.length() > 63 || !DNS_LABEL.matcher(name).matches()) {
      p.add(what + ": name must be a DNS label of at most 63 characters");
    }
    if (o instanceof Service && (name == null || !DNS_1035_LABEL.matcher(name).matches())) {
      p.add(what + ": a Service's name must start with a letter");
    }
    labels(what + " metadata.labels", o.getMetadata().getLabels(), p);
    Map<String, String> annotations = o.getMetadata().getAnnotations();
    if (annotations != null && bytes(annotations) > 256 * 1024) {
      p.add(what + ": annotations above 256 KiB");
    }
    int size = JSON.asJson(o).getBytes(StandardCharsets.UTF_8).length;
    if (size > OBJECT_LIMIT) {
      p.add(what + ": " + size + " bytes, more than etcd stores");
    }
    if (o instanceof ConfigMap cm) {
      data(what, cm.getData(), p);
      data(what, cm.getBinaryData(), p);
    }
    if (o instanceof Secret s) {
      data(what, s.getData(), p);
      data(what, s.getStringData(), p);
    }
    if (o instanceof Service s) {
      labels(what + " spec.selector", s.getSpec().getSelector(), p);
      for (ServicePort port : s.getSpec().getPorts()) {
        portName(what, port.getName(), p);
      }
    }
    if (o instanceof GenericKubernetesResource r && "HTTPRoute".equals(r.getKind())) {
      route(what, r, p);
    }
    if (o instanceof Deployment d) {
      Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
      Map<String, String> template = d.getSpec().getTemplate().getMetadata().getLabels();
      labels(what + " spec.selector", selector, p);
      labels(what + " template labels", template, p);
      if (!template.entrySet().containsAll(selector.entrySet())) {
        p.add(what + ": the selector does not select the template's labels");
      }
      pod(what, d.getSpec().getTemplate().getSpec(), p);
    }
    return p;
  }

  static List<String> problems(List<? extends HasMetadata> objects) {
    return objects.stream().flatMap(o -> problems(o).stream()).toList();
  }

  private static void pod(String what, PodSpec pod, List<String> p) {
    Set<String> volumes =
        pod.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
    for (Volume v : pod.getVolumes()) {
      if (v.getName().length() > 63 || !DNS_LABEL.matcher(v.getName()).matches()) {
        p.add(what + ": volume " + v.getName() + " is not a DNS label");
      }
      String ref =
          v.getConfigMap() != null
              ? v.getConfigMap().getName()
              : v.getSecret() != null
                  ? v.getSecret().getSecretName()
                  : v.getPersistentVolumeClaim() != null
                      ? v.getPersistentVolumeClaim().getClaimName()
                      : null;
      if (ref != null && (ref.length() > 253 || !DNS_SUBDOMAIN.matcher(ref).matches())) {
        p.add(what + ": volume " + v.getName() + " refers to an invalid name");
      }
    }
    List<Container> containers = new ArrayList<>(pod.getContainers());
    if (pod.getInitContainers() != null) {
      containers.addAll(pod.getInitContainers());
    }
    for (Container c : containers) {
      if (!DNS_LABEL.matcher(c.getName()).matches()) {
        p.add(what + ": container " + c.getName() + " is not a DNS label");
      }
      if (c.getImage() == null
          || c.getImage().isBlank()
          || !c.getImage().equals(c.getImage().strip())) {
        p.add(what + ": container " + c.getName() + " has an image with surrounding spaces");
      }
      for (VolumeMount m : c.getVolumeMounts()) {
        if (!volumes.contains(m.getName())) {
          p.add(what + ": container " + c.getName() + " mounts an undeclared volume");
        }
      }
      if (c.getPorts() != null) {
        for (ContainerPort port : c.getPorts()) {
          portName(what, port.getName(), p);
        }
      }
      if (c.getResources() != null) {
        var failure = Preflight.resources(c.getResources());
        if (failure != null) {
          p.add(what + ": container " + c.getName() + ": " + failure.message());
        }
      }
    }
  }

  /** The Gateway API's rules for what the operator puts in an HTTPRoute (v1). */
  @SuppressWarnings("unchecked")
  private static void route(String what, GenericKubernetesResource r, List<String> p) {
    Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().get("spec");
    List<String> hostnames = (List<String>) spec.getOrDefault("hostnames", List.of());
    if (hostnames.size() > 16) {
      p.add(what + ": more than 16 hostnames");
    }
    for (String h : hostnames) {
      if (h.length() > 253
          || !ROUTE_HOSTNAME.matcher(h).matches()
          || java.util.Arrays.stream(h.split("\\.")).anyMatch(l -> l.length() > 63)) {
        p.add(what + ": hostname " + h + " is not one the Gateway API accepts");
      }
    }
    if (((List<Object>) spec.get("parentRefs")).size() > 32) {
      p.add(what + ": more than 32 parentRefs");
    }
    for (Map<String, Object> rule : (List<Map<String, Object>>) spec.get("rules")) {
      for (Map<String, Object> match :
          (List<Map<String, Object>>) rule.getOrDefault("matches", List.of())) {
        List<Map<String, Object>> headers = (List<Map<String, Object>>) match.get("headers");
        if (headers.size() > 16) {
          p.add(what + ": more than 16 header matches");
        }
        for (Map<String, Object> h : headers) {
          String n = (String) h.get("name");
          String v = (String) h.get("value");
          if (n.length() > 256 || !HEADER_NAME.matcher(n).matches()) {
            p.add(what + ": header name " + n + " is not one the Gateway API accepts");
          }
          if (v.isEmpty() || v.length() > 4096) {
            p.add(what + ": header value of " + n + " must be 1 to 4096 characters");
          }
        }
      }
      for (Map<String, Object> b : (List<Map<String, Object>>) rule.get("backendRefs")) {
        String n = (String) b.get("name");
        if (n.length() > 63 || !DNS_1035_LABEL.matcher(n).matches()) {
          p.add(what + ": backendRef " + n + " is not a Service name");
        }
      }
    }
  }

  private static void portName(String what, String name, List<String> p) {
    if (name != null && (name.length() > 15 || !PORT_NAME.matcher(name).matches())) {
      p.add(what + ": port name " + name + " is not an IANA service name");
    }
  }

  private static void labels(String what, Map<String, String> labels, List<String> p) {
    if (labels == null) {
      return;
    }
    labels.forEach(
        (k, v) -> {
          int slash = k.indexOf('/');
          String prefix = slash < 0 ? null : k.substring(0, slash);
          String local = slash < 0 ? k : k.substring(slash + 1);
          if ((prefix != null
                  && (prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()))
              || local.length() > 63
              || !QUALIFIED_NAME.matcher(local).matches()) {
            p.add(what + ": key " + k + " is not a qualified name");
          }
          if (v == null || v.length() > 63 || !LABEL_VALUE.matcher(v).matches()) {
            p.add(what + ": value of " + k + " is not a label value: " + v);
          }
        });
  }

  private static void data(String what, Map<String, String> data, List<String> p) {
    if (data == null) {
      return;
    }
    for (String k : data.keySet()) {
      if (k.length() > 253 || !CONFIG_KEY.matcher(k).matches()) {
        p.add(what + ": key " + k + " is not a valid data key");
      }
    }
    long size =
        data.values().stream().mapToLong(v -> v.getBytes(StandardCharsets.UTF_8).length).sum();
    if (size > MIB) {
      p.add(what + ": data of " + size + " bytes, more than 1 MiB");
    }
  }

  private static long bytes(Map<String, String> m) {
    return m.entrySet().stream()
        .mapToLong(
            e ->
                e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().getBytes(StandardCharsets.UTF_8).length)
        .sum();
  }
}
