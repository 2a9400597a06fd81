package io.modelship.operator.batch;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.modelship.operator.api.ModelBatchJobSpec;
import io.modelship.operator.desired.ModelSource;
import io.modelship.operator.strategy.Failure;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

/**
 * Checks, before a run is made, that what it reads exists: the input ConfigMap (and its key), the
 * claims, and a ConfigMap model source. A run made without them would wait on a volume that never
 * mounts, with the reason only in the pod's events. The decision is pure; the lookups are given.
 */
public final class BatchPreflight {
  private BatchPreflight() {}

  /**
   * @param configMap (namespace, name) → the ConfigMap, or null when missing
   * @param claimExists (namespace, name) → whether the PersistentVolumeClaim exists
   * @return why the run cannot start, or null
   */
  public static Failure check(
      ModelBatchJobSpec spec,
      String ns,
      BiFunction<String, String, ConfigMap> configMap,
      BiPredicate<String, String> claimExists) {
    if (spec.input.configMap != null) {
      String name = spec.input.configMap.name;
      String key = spec.input.configMap.key;
      ConfigMap cm = configMap.apply(ns, name);
      if (cm == null) {
        return new Failure(
            "InputNotFound",
            "spec.input.configMap: ConfigMap " + name + " not found in namespace " + ns);
      }
      if (key != null && !has(cm, key)) {
        return new Failure(
            "InputNotFound",
            "spec.input.configMap: ConfigMap " + name + " has no key " + key + keys(cm));
      }
    } else if (!claimExists.test(ns, spec.input.persistentVolumeClaim.claimName)) {
      return new Failure(
          "InputNotFound",
          "spec.input.persistentVolumeClaim: PersistentVolumeClaim "
              + spec.input.persistentVolumeClaim.claimName
              + " not found in namespace "
              + ns);
    }
    if (spec.output != null && !claimExists.test(ns, spec.output.persistentVolumeClaim.claimName)) {
      return new Failure(
          "OutputNotFound",
          "spec.output.persistentVolumeClaim: PersistentVolumeClaim "
              + spec.output.persistentVolumeClaim.claimName
              + " not found in namespace "
              + ns);
    }
    if (spec.model != null) {
      ModelSource source = ModelSource.parse(spec.model.uri);
      if (source.kind() == ModelSource.Kind.CONFIGMAP) {
        ConfigMap cm = configMap.apply(ns, source.name());
        if (cm == null) {
          return new Failure(
              "ModelNotFound",
              "spec.model.uri: ConfigMap " + source.name() + " not found in namespace " + ns);
        }
        if (!has(cm, source.path())) {
          return new Failure(
              "ModelNotFound",
              "spec.model.uri: ConfigMap "
                  + source.name()
                  + " has no key "
                  + source.path()
                  + keys(cm));
        }
      } else if (source.kind() == ModelSource.Kind.PVC && !claimExists.test(ns, source.name())) {
        return new Failure(
            "ModelNotFound",
            "spec.model.uri: PersistentVolumeClaim "
                + source.name()
                + " not found in namespace "
                + ns);
      }
    }
    return null;
  }

  private static boolean has(ConfigMap cm, String key) {
    return (cm.getData() != null && cm.getData().containsKey(key))
        || (cm.getBinaryData() != null && cm.getBinaryData().containsKey(key));
  }

  private static String keys(ConfigMap cm) {
    java.util.TreeSet<String> keys = new java.util.TreeSet<>();
    if (cm.getData() != null) keys.addAll(cm.getData().keySet());
    if (cm.getBinaryData() != null) keys.addAll(cm.getBinaryData().keySet());
    return keys.isEmpty() ? " (it has no keys)" : " (it has " + String.join(", ", keys) + ")";
  }
}
