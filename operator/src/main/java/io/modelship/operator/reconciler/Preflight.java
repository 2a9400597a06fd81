package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.modelship.operator.api.InputSpec;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.api.TrafficProvider;
import io.modelship.operator.desired.ModelSource;
import io.modelship.operator.strategy.Failure;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
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

  private Preflight() {}

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
                  + "]: \""
                  + h
                  + "\" is not a DNS name (lower case, dots between labels, an optional leading"
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
    return card(spec);
  }

  /** Card rules the schema cannot express cheaply. */
  static Failure card(ModelDeploymentSpec spec) {
    if (spec.strategy != null
        && spec.strategy.canary != null
        && spec.strategy.canary.match != null) {
      for (int i = 0; i < spec.strategy.canary.match.size(); i++) {
        for (String h : spec.strategy.canary.match.get(i).headers.keySet()) {
          if (!h.matches("[A-Za-z0-9-]{1,64}")) {
            return new Failure(
                "InvalidSpec",
                "spec.strategy.canary.match["
                    + i
                    + "].headers: \""
                    + h
                    + "\" is not a header name (letters, digits and '-', at most 64)");
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
                  + "]: duplicate label \""
                  + spec.model.outputs.labels.get(i)
                  + "\"");
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
                  + in.defaultValue
                  + ")");
        }
      }
    }
    return null;
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
                + String.join(", ", keys)
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
