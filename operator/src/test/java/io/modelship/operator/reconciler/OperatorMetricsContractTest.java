package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.Phase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator exposes exactly the {@code modelship_*} series and labels that {@code
 * operator-metrics.txt} lists, the list model-runtime's MetricsContractIT checks the Grafana
 * dashboard and the PrometheusRule against: renaming an operator metric or a label fails here until
 * the list, and so the dashboard, follow.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorMetricsContractTest {
  static final Path CATALOG = Path.of("src/test/resources/operator-metrics.txt");
  static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? \\S+.*$");
  static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

  @Inject OperatorMetrics metrics;

  /** name -> label names, of the modelship_* samples in a Prometheus text exposition. */
  static Map<String, TreeSet<String>> series(String exposition) {
    Map<String, TreeSet<String>> out = new TreeMap<>();
    for (String line : exposition.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (line.startsWith("#") || !m.matches() || !m.group(1).startsWith("modelship_")) {
        continue;
      }
      TreeSet<String> labels = out.computeIfAbsent(m.group(1), k -> new TreeSet<>());
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.add(l.group(1));
        }
      }
    }
    return out;
  }

  static Map<String, TreeSet<String>> catalog() throws Exception {
    Map<String, TreeSet<String>> out = new TreeMap<>();
    for (String line : Files.readAllLines(CATALOG)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      out.put(f[0], new TreeSet<>(f.length > 1 ? List.of(f[1].split(",")) : List.of()));
    }
    return out;
  }

  @Test
  void seriesParserReadsNamesAndLabelNames() {
    assertThat(
            series(
                "# TYPE modelship_x counter\n"
                    + "modelship_x_total{a=\"1\",b=\"q\\\"z,c=\\\"\"} 2.0\n"
                    + "modelship_y 1.0\n"
                    + "jvm_threads 3\n"))
        .isEqualTo(
            Map.of(
                "modelship_x_total",
                new TreeSet<>(List.of("a", "b")),
                "modelship_y",
                new TreeSet<>()));
  }

  @Test
  void theOperatorExposesExactlyTheListedMetricsAndLabels() throws Exception {
    // A rollback series exists only once one happened: make one, as the reconciler does.
    ModelDeploymentStatus before = new ModelDeploymentStatus();
    before.phase = Phase.Progressing;
    ModelDeploymentStatus after = new ModelDeploymentStatus();
    after.phase = Phase.RolledBack;
    after.conditions.add(
        new ConditionBuilder()
            .withType("Degraded")
            .withStatus("True")
            .withReason("AnalysisFailed")
            .build());
    metrics.transition("metrics-contract", "iris", before, after);

    String scraped = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(series(scraped))
        .as("modelship_* series on /q/metrics against %s", CATALOG)
        .isEqualTo(catalog());
  }
}
