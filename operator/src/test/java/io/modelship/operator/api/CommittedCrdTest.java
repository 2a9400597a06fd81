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

  /** The ModelBatchJob CRD, generated and committed the same way. */
  static final String BATCH_FILE = "modelbatchjobs.modelship.io-v1.yml";

  static final Path BATCH_COMMITTED = Path.of("../crds", BATCH_FILE);
  static final List<String> BATCH_COLUMNS =
      List.of("Phase", "Schedule", "Rows", "Rejected", "Progress", "Age");

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
    return expected(FILE, COLUMNS);
  }

  static String expected(String file, List<String> columnOrder) throws Exception {
    JsonNode crd = YAML.readTree(Files.readString(Path.of("target/kubernetes", file)));
    for (JsonNode version : crd.path("spec").path("versions")) {
      ArrayNode columns = (ArrayNode) version.path("additionalPrinterColumns");
      List<JsonNode> sorted = new ArrayList<>();
      columns.forEach(sorted::add);
      sorted.sort(
          (a, b) ->
              columnOrder.indexOf(a.path("name").asText())
                  - columnOrder.indexOf(b.path("name").asText()));
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
  void committedBatchJobCrdMatchesTheApiTypes() throws Exception {
    String expected = expected(BATCH_FILE, BATCH_COLUMNS);
    Path chart = Path.of("../helm/modelship/crds", BATCH_FILE);
    if (Boolean.getBoolean("crds.update")) {
      Files.writeString(BATCH_COMMITTED, expected);
      Files.writeString(chart, expected);
    }
    assertThat(Files.exists(BATCH_COMMITTED))
        .as("%s exists; run with -Dcrds.update=true", BATCH_COMMITTED)
        .isTrue();
    assertThat(Files.readString(BATCH_COMMITTED))
        .as("crds/%s is stale: run ./mvnw test -pl operator -Dcrds.update=true", BATCH_FILE)
        .isEqualTo(expected);
    assertThat(Files.readString(chart))
        .as("helm/modelship/crds/%s differs from crds/", BATCH_FILE)
        .isEqualTo(expected);
    JsonNode crd = YAML.readTree(expected.substring(expected.indexOf("apiVersion")));
    List<String> names = new ArrayList<>();
    crd.path("spec")
        .path("versions")
        .get(0)
        .path("additionalPrinterColumns")
        .forEach(c -> names.add(c.path("name").asText()));
    assertThat(names).containsExactlyElementsOf(BATCH_COLUMNS);
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
