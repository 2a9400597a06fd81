package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.modelship.operator.api.InputSpec;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.api.TrafficProvider;
import io.modelship.operator.api.TransformSpec;
import io.modelship.operator.desired.ModelCards;
import io.modelship.operator.desired.ModelSource;
import io.modelship.operator.strategy.Failure;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What only the operator can find out before a revision starts: sources and Secrets that are
 * missing, a ConfigMap model whose sha256 does not match, features this version does not run yet.
 * Each becomes a {@link Failure} that blocks the rollout while the serving revision keeps serving.
 */
final class Preflight {
  private static final java.util.regex.Pattern HOSTNAME =
      java.util.regex.Pattern.compile(
          "^(\\*\\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$");

  /**
   * The Kubernetes quantity syntax (resource.ParseQuantity), with the exponent kept to two digits:
   * a quantity such as 1e1000000 is no size any container has, and computing it would cost the
   * operator more than the check.
   */
  private static final java.util.regex.Pattern QUANTITY =
      java.util.regex.Pattern.compile(
          "^[+-]?([0-9]{1,30}(\\.[0-9]{0,30})?|\\.[0-9]{1,30})([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]{1,2})?$");

  /** An extended resource: {@code <domain>/<name>}, as Kubernetes qualifies them. */
  private static final java.util.regex.Pattern EXTENDED_RESOURCE =
      java.util.regex.Pattern.compile(
          "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$");

  /** What a ConfigMap holds at most (the API server's limit on data): the card must fit. */
  static final int CONFIGMAP_LIMIT = 1024 * 1024;

  /** Characters of a user's value shown in a message. */
  static final int SHOWN = 64;

  private Preflight() {}

  /**
   * A user's value in a message: quoted, and cut short, so that a hostile value of a megabyte
   * cannot make the status (which holds the message twice) too large for the API server to store.
   */
  static String quoted(String value) {
    return value == null ? "null" : "\"" + shortened(value) + "\"";
  }

  /** {@code text} cut after {@link #SHOWN} characters, saying how long it was. */
  static String shortened(String text) {
    if (text.length() <= SHOWN) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(SHOWN - 1)) ? SHOWN - 1 : SHOWN;
    return text.substring(0, end) + "… (" + text.length() + " characters)";
  }

  /** Checks that need no API call; pure. */
  static Failure spec(ModelDeploymentSpec spec, boolean updating) {
    StrategyType type = spec.strategy == null ? StrategyType.RollingUpdate : spec.strategy.type;
    boolean router =
        spec.traffic == null
            || spec.traffic.provider == null
            || spec.traffic.provider == TrafficProvider.Router;
    boolean gateway = spec.traffic != null && spec.traffic.provider == TrafficProvider.GatewayAPI;
    if (updating
        && type != StrategyType.Recreate
        && type != StrategyType.RollingUpdate
        && !router
        && !(gateway && type == StrategyType.Canary)) {
      return new Failure(
          "StrategyNotSupported",
          "spec.strategy.type "
              + type
              + " with traffic.provider "
              + spec.traffic.provider
              + " is not supported by this operator version (Recreate and RollingUpdate run"
              + " with any provider, Canary with Router or GatewayAPI, BlueGreen and Shadow with"
              + " Router: their preview and mirror comparison live in the router)");
    }
    if (gateway && spec.traffic.hostnames != null) {
      for (int i = 0; i < spec.traffic.hostnames.size(); i++) {
        String h = spec.traffic.hostnames.get(i);
        if (h == null || h.length() > 253 || !HOSTNAME.matcher(h).matches()) {
          return new Failure(
              "InvalidSpec",
              "spec.traffic.hostnames["
                  + i
                  + "]: "
                  + quoted(h)
                  + " is not a DNS name (lower case, dots between labels, an optional leading"
                  + " *.)");
        }
      }
    }
    if (gateway && analysed(spec)) {
      return new Failure(
          "FeatureNotSupported",
          "spec.analysis and canary analysis steps need traffic.provider Router: the analysis"
              + " reads the router's counters, and with GatewayAPI requests do not pass through"
              + " it; remove them, or use the Router provider");
    }
    List<String> unsupported = new ArrayList<>();
    if (spec.autoscaling != null) {
      unsupported.add("spec.autoscaling");
    }
    if (!unsupported.isEmpty()) {
      return new Failure(
          "FeatureNotSupported",
          String.join(", ", unsupported)
              + ": not supported by this operator version yet; remove it to roll out");
    }
    if (ModelSource.parse(spec.model.uri).kind() == ModelSource.Kind.S3) {
      return new Failure(
          "ModelSourceNotSupported",
          "spec.model.uri: s3:// sources are not fetched by this operator version yet; use"
              + " configmap://, pvc:// or https://");
    }
    Failure resources = resources(spec.runtime == null ? null : spec.runtime.resources);
    if (resources != null) {
      return resources;
    }
    return card(spec);
  }

  /**
   * What the API server would refuse in the serving container's resources: the schema takes any
   * string or number as a quantity, and a Deployment refused at every reconcile never starts.
   */
  static Failure resources(ResourceRequirements r) {
    if (r == null) {
      return null;
    }
    if (r.getClaims() != null && !r.getClaims().isEmpty()) {
      return new Failure(
          "InvalidSpec",
          "spec.runtime.resources.claims: the serving pods claim no dynamic resources; remove it");
    }
    Map<String, Quantity> requests = r.getRequests() == null ? Map.of() : r.getRequests();
    Map<String, Quantity> limits = r.getLimits() == null ? Map.of() : r.getLimits();
    for (String kind : List.of("requests", "limits")) {
      for (Map.Entry<String, Quantity> e : (kind.equals("limits") ? limits : requests).entrySet()) {
        String field = "spec.runtime.resources." + kind + "[" + shortened(e.getKey()) + "]";
        if (!resourceName(e.getKey())) {
          return new Failure(
              "InvalidSpec",
              field
                  + ": not a resource a container can ask for (cpu, memory, ephemeral-storage,"
                  + " hugepages-<size>, or an extended resource <domain>/<name>)");
        }
        BigDecimal amount = amount(e.getValue());
        if (amount == null || amount.signum() < 0) {
          return new Failure(
              "InvalidSpec",
              field
                  + ": must be a non-negative quantity such as 500m, 2, 256Mi or 1Gi (got "
                  + quoted(e.getValue() == null ? null : e.getValue().toString())
                  + ")");
        }
      }
    }
    for (Map.Entry<String, Quantity> e : requests.entrySet()) {
      String name = e.getKey();
      Quantity limit = limits.get(name);
      // Kubernetes lets no container ask for more than its limit, and does not overcommit
      // hugepages or extended resources: their request must equal a limit that is set.
      boolean exact = name.startsWith("hugepages-") || name.contains("/");
      int cmp = limit == null ? 0 : amount(e.getValue()).compareTo(amount(limit));
      if ((exact && (limit == null || cmp != 0)) || cmp > 0) {
        return new Failure(
            "InvalidSpec",
            "spec.runtime.resources.requests["
                + shortened(name)
                + "]: "
                + e.getValue()
                + (exact
                    ? " must equal the limit, which must be set (" + name + " is not overcommitted)"
                    : " is more than the limit " + limit));
      }
    }
    return null;
  }

  private static boolean resourceName(String name) {
    return name.equals("cpu")
        || name.equals("memory")
        || name.equals("ephemeral-storage")
        || (name.startsWith("hugepages-") && amount(new Quantity(name.substring(10))) != null)
        || (name.length() <= 253
            && !name.startsWith("requests.")
            && EXTENDED_RESOURCE.matcher(name).matches());
  }

  /** The amount of a quantity in Kubernetes syntax, or null when it has none. */
  private static BigDecimal amount(Quantity q) {
    if (q == null || q.toString() == null || !QUANTITY.matcher(q.toString()).matches()) {
      return null;
    }
    try {
      return q.getNumericalAmount();
    } catch (ArithmeticException | IllegalArgumentException e) {
      return null;
    }
  }

  /** Card rules the schema cannot express cheaply. */
  static Failure card(ModelDeploymentSpec spec) {
    if (spec.strategy != null
        && spec.strategy.canary != null
        && spec.strategy.canary.match != null) {
      for (int i = 0; i < spec.strategy.canary.match.size(); i++) {
        Map<String, String> names = new java.util.HashMap<>();
        for (String h : spec.strategy.canary.match.get(i).headers.keySet()) {
          if (!h.matches("[A-Za-z0-9-]{1,64}")) {
            return new Failure(
                "InvalidSpec",
                "spec.strategy.canary.match["
                    + i
                    + "].headers: "
                    + quoted(h)
                    + " is not a header name (letters, digits and '-', at most 64)");
          }
          // HTTP header names are case-insensitive: two that differ only in case are one header
          // with two required values, which no request can match.
          String same = names.put(h.toLowerCase(java.util.Locale.ROOT), h);
          if (same != null) {
            return new Failure(
                "InvalidSpec",
                "spec.strategy.canary.match["
                    + i
                    + "].headers: "
                    + quoted(same)
                    + " and "
                    + quoted(h)
                    + " are the same header (names are case-insensitive)");
          }
        }
      }
    }
    if (spec.model.outputs != null && spec.model.outputs.labels != null) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < spec.model.outputs.labels.size(); i++) {
        if (!seen.add(spec.model.outputs.labels.get(i))) {
          return new Failure(
              "InvalidSpec",
              "spec.model.outputs.labels["
                  + i
                  + "]: duplicate label "
                  + quoted(spec.model.outputs.labels.get(i)));
        }
      }
    }
    if (spec.model.inputs != null) {
      for (int i = 0; i < spec.model.inputs.size(); i++) {
        InputSpec in = spec.model.inputs.get(i);
        boolean optional = Boolean.FALSE.equals(in.required);
        if (optional && in.defaultValue == null) {
          return new Failure(
              "InvalidSpec",
              "spec.model.inputs["
                  + i
                  + "].default: an optional feature (required: false) needs a default");
        }
        if (!optional && in.defaultValue != null) {
          return new Failure(
              "InvalidSpec",
              "spec.model.inputs["
                  + i
                  + "].default: only optional features (required: false) take a default");
        }
        if (in.defaultValue == null) {
          continue;
        }
        String t = in.type == null ? "float" : in.type.name().toLowerCase();
        boolean ok =
            switch (t) {
              case "boolean" -> in.defaultValue.isBoolean();
              case "string" -> in.defaultValue.isTextual();
              case "integer" -> in.defaultValue.isIntegralNumber();
              default -> in.defaultValue.isNumber();
            };
        if (!ok) {
          return new Failure(
              "InvalidSpec",
              "spec.model.inputs["
                  + i
                  + "].default: must be a "
                  + t
                  + " value (got "
                  + shortened(in.defaultValue.toString())
                  + ")");
        }
        Failure category = defaultCategory(in, i);
        if (category != null) {
          return category;
        }
      }
    }
    // The card goes into a ConfigMap of the revision. The schema bounds labels and names, but a
    // character YAML must escape takes four bytes, and string defaults (schemaless) have no bound.
    int size = ModelCards.yaml(spec.model).getBytes(StandardCharsets.UTF_8).length;
    if (size > CONFIGMAP_LIMIT) {
      return new Failure(
          "InvalidSpec",
          "spec.model: the model card written from it is "
              + size
              + " bytes, more than the "
              + CONFIGMAP_LIMIT
              + " a ConfigMap holds; shorten its string defaults, labels or feature names");
    }
    return null;
  }

  /**
   * A one-hot feature's default must be one of its categories unless unknown ones are ignored: the
   * runtime would refuse the card and the revision would never serve.
   */
  static Failure defaultCategory(InputSpec in, int i) {
    if (in.transform == null
        || in.transform.oneHot == null
        || in.transform.oneHot.categories == null
        || in.transform.oneHot.unknown == TransformSpec.UnknownCategory.IGNORE
        || !in.defaultValue.isTextual()
        || in.transform.oneHot.categories.contains(in.defaultValue.textValue())) {
      return null;
    }
    return new Failure(
        "InvalidSpec",
        "spec.model.inputs["
            + i
            + "].default: "
            + quoted(in.defaultValue.textValue())
            + " is not one of transform.oneHot.categories (set unknown: ignore to allow it)");
  }

  /** Whether the spec asks for an analysis: gates, or an analysis step of a Canary. */
  private static boolean analysed(ModelDeploymentSpec spec) {
    boolean steps =
        spec.strategy != null
            && spec.strategy.canary != null
            && spec.strategy.canary.steps != null
            && spec.strategy.canary.steps.stream().anyMatch(st -> st.analysis != null);
    return spec.analysis != null || steps;
  }

  /** Checks against the API: the model source, the API-key Secret, the HTTPRoute API. */
  static Failure cluster(ModelDeployment md, KubernetesClient client) {
    String ns = md.getMetadata().getNamespace();
    if (md.getSpec().traffic != null
        && md.getSpec().traffic.provider == TrafficProvider.GatewayAPI) {
      Failure f = Gateways.missingApi(client);
      if (f != null) {
        return f;
      }
    }
    ModelSource source = ModelSource.parse(md.getSpec().model.uri);
    if (source.kind() == ModelSource.Kind.CONFIGMAP) {
      ConfigMap cm = client.configMaps().inNamespace(ns).withName(source.name()).get();
      if (cm == null) {
        return new Failure(
            "ModelSourceMissing",
            "spec.model.uri: ConfigMap " + source.name() + " not found in namespace " + ns);
      }
      byte[] bytes = null;
      if (cm.getBinaryData() != null && cm.getBinaryData().containsKey(source.path())) {
        bytes = Base64.getDecoder().decode(cm.getBinaryData().get(source.path()));
      } else if (cm.getData() != null && cm.getData().containsKey(source.path())) {
        bytes = cm.getData().get(source.path()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      if (bytes == null) {
        Set<String> keys = new TreeSet<>();
        if (cm.getBinaryData() != null) keys.addAll(cm.getBinaryData().keySet());
        if (cm.getData() != null) keys.addAll(cm.getData().keySet());
        return new Failure(
            "ModelSourceMissing",
            "spec.model.uri: ConfigMap "
                + source.name()
                + " has no key \""
                + source.path()
                + "\" (keys: "
                + shortened(String.join(", ", keys))
                + ")");
      }
      String pin = md.getSpec().model.sha256;
      if (pin != null) {
        String actual = sha256(bytes);
        if (!actual.equalsIgnoreCase(pin)) {
          return new Failure(
              "ModelChecksumMismatch",
              "spec.model.sha256 is "
                  + pin.toLowerCase()
                  + " but ConfigMap "
                  + source.name()
                  + " key "
                  + source.path()
                  + " has sha256 "
                  + actual);
        }
      }
    } else if (source.kind() == ModelSource.Kind.PVC) {
      if (client.persistentVolumeClaims().inNamespace(ns).withName(source.name()).get() == null) {
        return new Failure(
            "ModelSourceMissing",
            "spec.model.uri: PersistentVolumeClaim "
                + source.name()
                + " not found in namespace "
                + ns);
      }
    }
    if (md.getSpec().auth != null) {
      var ref = md.getSpec().auth.apiKeySecretRef;
      String key = ref.key == null ? "keys" : ref.key;
      Secret secret = client.secrets().inNamespace(ns).withName(ref.name).get();
      if (secret == null) {
        return new Failure(
            "SecretMissing",
            "spec.auth.apiKeySecretRef: Secret " + ref.name + " not found in namespace " + ns);
      }
      boolean has =
          (secret.getData() != null && secret.getData().containsKey(key))
              || (secret.getStringData() != null && secret.getStringData().containsKey(key));
      if (!has) {
        return new Failure(
            "SecretMissing",
            "spec.auth.apiKeySecretRef: Secret " + ref.name + " has no key \"" + key + "\"");
      }
    }
    return null;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
