package io.modelship.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CRD is generated from the API types at build time; the copies committed in {@code crds/} and
 * in the Helm chart must be that output. Run with {@code -Dcrds.update=true} to refresh them after
 * changing the types.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CommittedCrdTest {
  static final String FILE = "modeldeployments.modelship.io-v1.yml";
  static final Path GENERATED = Path.of("target/kubernetes", FILE);
  static final Path COMMITTED = Path.of("../crds", FILE);
  static final Path CHART = Path.of("../helm/modelship/crds", FILE);

  /** kubectl shows printer columns in this order; the generator does not keep declaration order. */
  static final List<String> COLUMNS =
      List.of("Phase", "Strategy", "Stable", "Candidate", "Weight", "Ready", "Age");

  static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .disable(YAMLGenerator.Feature.SPLIT_LINES));

  static String expected() throws Exception {
    JsonNode crd = YAML.readTree(Files.readString(GENERATED));
    for (JsonNode version : crd.path("spec").path("versions")) {
      ArrayNode columns = (ArrayNode) version.path("additionalPrinterColumns");
      List<JsonNode> sorted = new ArrayList<>();
      columns.forEach(sorted::add);
      sorted.sort(
          (a, b) ->
              COLUMNS.indexOf(a.path("name").asText()) - COLUMNS.indexOf(b.path("name").asText()));
      ArrayNode ordered = YAML.createArrayNode();
      sorted.forEach(ordered::add);
      ((ObjectNode) version).set("additionalPrinterColumns", ordered);
    }
    return "# Generated from operator/src/main/java/io/modelship/operator/api by the operator build.\n"
        + "# Do not edit: change the types, then run ./mvnw test -pl operator -Dcrds.update=true\n"
        + YAML.writeValueAsString(crd);
  }

  @Test
  void committedCrdsMatchTheApiTypes() throws Exception {
    String expected = expected();
    if (Boolean.getBoolean("crds.update")) {
      Files.createDirectories(COMMITTED.getParent());
      Files.writeString(COMMITTED, expected);
      Files.createDirectories(CHART.getParent());
      Files.writeString(CHART, expected);
    }
    assertThat(Files.exists(COMMITTED))
        .as("%s exists; run with -Dcrds.update=true", COMMITTED)
        .isTrue();
    assertThat(Files.readString(COMMITTED))
        .as("crds/%s is stale: run ./mvnw test -pl operator -Dcrds.update=true", FILE)
        .isEqualTo(expected);
    assertThat(Files.readString(CHART))
        .as("helm/modelship/crds/%s differs from crds/", FILE)
        .isEqualTo(expected);
  }

  @Test
  void printerColumnsComeInTheDocumentedOrder() throws Exception {
    JsonNode crd = YAML.readTree(expected().substring(expected().indexOf("apiVersion")));
    List<String> names = new ArrayList<>();
    crd.path("spec")
        .path("versions")
        .get(0)
        .path("additionalPrinterColumns")
        .forEach(c -> names.add(c.path("name").asText()));
    assertThat(names).containsExactlyElementsOf(COLUMNS);
  }
}
