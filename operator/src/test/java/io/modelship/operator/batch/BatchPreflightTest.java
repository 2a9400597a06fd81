package io.modelship.operator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.modelship.operator.api.ModelBatchJob;
import io.modelship.operator.strategy.Failure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchPreflightTest {
  static ModelBatchJob example() throws Exception {
    String yaml = Files.readString(Path.of("../examples/iris-batch.yaml"));
    return Serialization.unmarshal(
        yaml.substring(yaml.indexOf("apiVersion: modelship.io")), ModelBatchJob.class);
  }

  static ConfigMap cm(String... keys) {
    ConfigMapBuilder b = new ConfigMapBuilder();
    for (String k : keys) {
      b.addToData(k, "x");
    }
    return b.build();
  }

  Failure check(ModelBatchJob mbj, Map<String, ConfigMap> cms, Set<String> claims)
      throws Exception {
    return BatchPreflight.check(
        mbj.getSpec(), "ns", (ns, n) -> cms.get(n), (ns, n) -> claims.contains(n));
  }

  @Test
  void aRunStartsWhenEverythingItReadsExists() throws Exception {
    assertThat(
            check(
                example(),
                Map.of("iris-batch-input", cm("iris.csv"), "iris-model", cm("iris.onnx")),
                Set.of("batch-output")))
        .isNull();
  }

  @Test
  void aMissingInputConfigMapOrKeyIsNamed() throws Exception {
    Failure f = check(example(), Map.of("iris-model", cm("iris.onnx")), Set.of("batch-output"));
    assertThat(f.reason()).isEqualTo("InputNotFound");
    assertThat(f.message())
        .isEqualTo("spec.input.configMap: ConfigMap iris-batch-input not found in namespace ns");
    f =
        check(
            example(),
            Map.of("iris-batch-input", cm("other.csv"), "iris-model", cm("iris.onnx")),
            Set.of("batch-output"));
    assertThat(f.message())
        .isEqualTo(
            "spec.input.configMap: ConfigMap iris-batch-input has no key iris.csv (it has"
                + " other.csv)");
  }

  @Test
  void aMissingOutputClaimOrModelIsNamed() throws Exception {
    Failure f =
        check(
            example(),
            Map.of("iris-batch-input", cm("iris.csv"), "iris-model", cm("iris.onnx")),
            Set.of());
    assertThat(f.message())
        .isEqualTo(
            "spec.output.persistentVolumeClaim: PersistentVolumeClaim batch-output not found in"
                + " namespace ns");
    f =
        check(
            example(),
            Map.of("iris-batch-input", cm("iris.csv"), "iris-model", cm("iris-v2.onnx")),
            Set.of("batch-output"));
    assertThat(f.reason()).isEqualTo("ModelNotFound");
    assertThat(f.message()).startsWith("spec.model.uri: ConfigMap iris-model has no key iris.onnx");
  }
}
