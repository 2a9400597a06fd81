package io.modelship.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.desired.ModelCards;
import io.modelship.operator.desired.ModelSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The examples users apply first must stay true to the models and the runtime's cards. */
class ExamplesTest {
  static final Path EXAMPLES = Path.of("../examples");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @ParameterizedTest
  @ValueSource(strings = {"iris-recreate.yaml", "iris-rolling.yaml", "iris-queue.yaml"})
  void exampleDeploysTheModelItsShaNames(String file) throws Exception {
    ModelDeployment md =
        Serialization.unmarshal(Files.readString(EXAMPLES.resolve(file)), ModelDeployment.class);
    ConfigMap cm =
        Serialization.unmarshal(
            Files.readString(EXAMPLES.resolve("iris-model-configmap.yaml")), ConfigMap.class);
    ModelSource source = ModelSource.parse(md.getSpec().model.uri);
    assertThat(source.name()).isEqualTo(cm.getMetadata().getName());
    byte[] bytes = Base64.getDecoder().decode(cm.getBinaryData().get(source.path()));
    assertThat(bytes)
        .as("ConfigMap key %s is examples/models/%s", source.path(), source.path())
        .isEqualTo(Files.readAllBytes(EXAMPLES.resolve("models").resolve(source.path())));
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
        .isEqualTo(md.getSpec().model.sha256);
  }

  @ParameterizedTest
  @ValueSource(strings = {"iris-recreate.yaml", "iris-rolling.yaml", "iris-queue.yaml"})
  void theCardWrittenFromTheSpecIsTheRuntimesCard(String file) throws Exception {
    ModelDeployment md =
        Serialization.unmarshal(Files.readString(EXAMPLES.resolve(file)), ModelDeployment.class);
    JsonNode written = YAML.readTree(ModelCards.yaml(md.getSpec().model));
    ObjectNode card = (ObjectNode) YAML.readTree(EXAMPLES.resolve("models/iris.yaml").toFile());
    card.remove("description");
    for (JsonNode in : card.path("inputs")) {
      ((ObjectNode) in).remove(List.of("required"));
    }
    assertThat(normalise(written)).isEqualTo(normalise(card));
  }

  /** Numbers compare by value (0 and 0.0 are the same bound). */
  private static String normalise(JsonNode n) {
    return n.toString().replaceAll("(\\d)\\.0([,}\\]])", "$1$2");
  }
}
