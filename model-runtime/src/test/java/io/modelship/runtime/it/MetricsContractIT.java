package io.modelship.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric and label the chart's Grafana dashboard and PrometheusRule query exists. The model
 * runtime (plain and in queue mode) and the router run as users run them, on loopback, take
 * predictions (through the router: stable, candidate and mirrored copies), and their {@code
 * /q/metrics} are scraped; the operator's series come from {@code operator-metrics.txt}, which the
 * operator's OperatorMetricsContractTest holds to what a running operator exposes.
 */
class MetricsContractIT extends JarHarness {
  static final Path CHART = Path.of(System.getProperty("modelship.chart", "../helm/modelship"));
  static final Path DASHBOARD = CHART.resolve("dashboards/modelship.json");
  static final Path RULES = CHART.resolve("templates/prometheusrule.yaml");
  static final Path POD_MONITOR = CHART.resolve("templates/podmonitor.yaml");
  static final Path OPERATOR_METRICS =
      Path.of(
          System.getProperty(
              "modelship.operator-metrics", "../operator/src/test/resources/operator-metrics.txt"));

  /** Labels Prometheus adds to every target of a PodMonitor or ServiceMonitor. */
  static final Set<String> TARGET_LABELS =
      Set.of("namespace", "pod", "container", "endpoint", "job", "instance", "service");

  /** Labels the chart's PodMonitor adds to runtime and router series from the pods' labels. */
  static final Set<String> POD_MONITOR_LABELS =
      Set.of("modelship_deployment", "revision", "component");

  static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? \\S+.*$");
  static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

  /** name -> label names of every sample in a Prometheus text exposition. */
  static Map<String, Set<String>> series(String exposition) {
    Map<String, Set<String>> out = new TreeMap<>();
    for (String line : exposition.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (line.startsWith("#") || !m.matches()) {
        continue;
      }
      Set<String> labels = out.computeIfAbsent(m.group(1), k -> new TreeSet<>());
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.add(l.group(1));
        }
      }
    }
    return out;
  }

  /** Where a query comes from, for the failure message, and its PromQL. */
  record Source(String where, String expr) {}

  /** Every PromQL expression of the dashboard: panel targets and variable queries. */
  static List<Source> dashboardQueries(JsonNode dashboard) {
    List<Source> out = new ArrayList<>();
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (v.path("type").asText().equals("query")) {
        String q =
            v.path("query").isTextual()
                ? v.path("query").asText()
                : v.path("query").path("query").asText();
        out.add(new Source("variable " + v.path("name").asText(), q));
      }
    }
    List<JsonNode> panels = new ArrayList<>();
    dashboard.path("panels").forEach(panels::add);
    for (int i = 0; i < panels.size(); i++) {
      JsonNode p = panels.get(i);
      p.path("panels").forEach(panels::add); // panels of collapsed rows
      for (JsonNode t : p.path("targets")) {
        out.add(
            new Source(
                "panel '" + p.path("title").asText() + "' " + t.path("refId").asText(),
                t.path("expr").asText()));
      }
    }
    return out;
  }

  /**
   * The expr of every rule in the PrometheusRule template; Helm's {@code {{ ... }}} (thresholds)
   * reads as a number. A multi-line expr is refused rather than read in part.
   */
  static List<Source> ruleQueries(List<String> template) {
    List<Source> out = new ArrayList<>();
    String alert = "?";
    for (String line : template) {
      String t = line.trim();
      if (t.startsWith("- alert:")) {
        alert = t.substring("- alert:".length()).trim();
      } else if (t.startsWith("expr:")) {
        String expr = t.substring("expr:".length()).trim();
        if (expr.isEmpty() || expr.startsWith("|") || expr.startsWith(">")) {
          throw new IllegalArgumentException(
              RULES + ": alert " + alert + ": keep expr on one line, the check reads it so");
        }
        out.add(new Source("alert " + alert, expr.replaceAll("\\{\\{[^}]*}}", "0")));
      }
    }
    return out;
  }

  /**
   * What is wrong with these queries against the series {@code exposed} (name -> labels): each
   * problem names the query's place, the metric and the label.
   */
  static List<String> problems(List<Source> queries, Map<String, Set<String>> exposed) {
    List<String> out = new ArrayList<>();
    for (Source s : queries) {
      PromQl.Query q;
      try {
        q = PromQl.parse(s.expr());
      } catch (IllegalArgumentException e) {
        out.add(s.where() + ": " + e.getMessage());
        continue;
      }
      if (q.selectors().isEmpty()) {
        out.add(s.where() + ": queries no metric: " + s.expr());
      }
      for (PromQl.Selector sel : q.selectors()) {
        Set<String> labels = exposed.get(sel.metric());
        if (labels == null) {
          out.add(s.where() + ": no component exposes " + sel.metric());
          continue;
        }
        for (String l : sel.labels()) {
          if (!labels.contains(l)) {
            out.add(
                s.where()
                    + ": "
                    + sel.metric()
                    + " has no label "
                    + l
                    + " (has "
                    + new TreeSet<>(labels)
                    + ")");
          }
        }
      }
      for (PromQl.LabelUse u : q.labelUses()) {
        for (String l : u.labels()) {
          List<String> without =
              u.metrics().stream()
                  .filter(exposed::containsKey)
                  .filter(m -> !exposed.get(m).contains(l))
                  .toList();
          boolean missing = u.every() ? !without.isEmpty() : without.size() == u.metrics().size();
          if (missing) {
            out.add(s.where() + ": " + u.modifier() + " " + l + ": not a label of " + without);
          }
        }
      }
    }
    return out;
  }

  HttpResponse<String> predict(int port, String body, String session) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/models/iris/predict"))
            .header("Content-Type", "application/json")
            .header("x-modelship-session", session)
            .timeout(Duration.ofSeconds(5))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until {@code path} answers 200 on {@code port}. */
  void awaitUp(int port, String path, Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("exited early:\n%s", Files.readString(log)).isTrue();
      try {
        if (get(port, path).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError(path + " not up in 30 s:\n" + Files.readString(log));
  }

  /** The runtime, router and operator series, with the labels a scrape through the chart adds. */
  Map<String, Set<String>> scrapeEverything(Path tmp) throws Exception {
    int v1 = freePort();
    int v2 = freePort();
    int router = freePort();
    int queued = freePort();
    Process a = start(tmp.resolve("v1.log"), irisArgs(v1, "--revision", "v1"));
    Process b =
        start(
            tmp.resolve("v2.log"),
            "--model",
            EXAMPLES.resolve("iris-v2.onnx").toString(),
            "--port",
            Integer.toString(v2),
            "--host",
            "127.0.0.1",
            "--revision",
            "v2");
    // Queue mode registers its meters at start; no broker listens at this port, none is needed.
    Process q =
        start(
            tmp.resolve("queue.log"),
            irisArgs(
                queued,
                "--queue",
                "kafka",
                "--kafka-bootstrap",
                "127.0.0.1:" + freePort(),
                "--request-topic",
                "requests",
                "--reply-topic",
                "replies",
                "--dead-letter-topic",
                "dead"));
    awaitReady(v1, a, tmp.resolve("v1.log"));
    awaitReady(v2, b, tmp.resolve("v2.log"));
    Process r =
        start(
            tmp.resolve("router.log"),
            "--mode",
            "router",
            "--port",
            Integer.toString(router),
            "--host",
            "127.0.0.1",
            "--stable",
            "http://127.0.0.1:" + v1,
            "--stable-revision",
            "v1",
            "--candidate",
            "http://127.0.0.1:" + v2,
            "--candidate-revision",
            "v2",
            "--candidate-weight",
            "50",
            "--mirror-percent",
            "100");
    awaitUp(router, "/q/health/ready", r, tmp.resolve("router.log"));
    awaitUp(queued, "/q/health/live", q, tmp.resolve("queue.log"));

    int ok = 0;
    for (int i = 0; i < 20; i++) {
      ok += predict(router, SETOSA, "s" + i).statusCode() == 200 ? 1 : 0;
    }
    assertThat(ok).isEqualTo(20);
    assertThat(predict(router, "{\"sepal_length\": \"x\"}", "bad").statusCode())
        .isBetween(400, 499);
    // Mirrored copies are compared after the client's answer: wait for the comparisons.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!get(router, "/q/metrics").body().contains("modelship_router_mirror_total{")
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }

    Map<String, Set<String>> models = new TreeMap<>();
    for (int port : new int[] {v1, v2, router, queued}) {
      HttpResponse<String> m = get(port, "/q/metrics");
      assertThat(m.statusCode()).isEqualTo(200);
      series(m.body()).forEach((k, v) -> models.computeIfAbsent(k, x -> new TreeSet<>()).addAll(v));
    }
    models.values().forEach(l -> l.addAll(TARGET_LABELS));
    models.values().forEach(l -> l.addAll(POD_MONITOR_LABELS));

    Map<String, Set<String>> all = new TreeMap<>(models);
    for (String line : Files.readAllLines(OPERATOR_METRICS)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      Set<String> labels = new TreeSet<>(TARGET_LABELS);
      if (f.length > 1) {
        labels.addAll(List.of(f[1].split(",")));
      }
      assertThat(all.put(f[0], labels))
          .as("%s is both the operator's and a model pod's", f[0])
          .isNull();
    }
    return all;
  }

  @Test
  void everyMetricAndLabelTheDashboardAndTheAlertsQueryExists(@TempDir Path tmp) throws Exception {
    Map<String, Set<String>> exposed = scrapeEverything(tmp);
    List<Source> queries = new ArrayList<>();
    queries.addAll(dashboardQueries(new ObjectMapper().readTree(DASHBOARD.toFile())));
    queries.addAll(ruleQueries(Files.readAllLines(RULES)));
    Set<String> queried = new TreeSet<>();
    queries.forEach(s -> queried.addAll(PromQl.parse(s.expr()).metrics()));
    // Guards the guard: an extraction that found nothing would pass everything.
    assertThat(queries.stream().filter(s -> s.where().startsWith("alert "))).hasSize(6);
    assertThat(queried).hasSizeGreaterThanOrEqualTo(12);

    assertThat(problems(queries, exposed)).as("queries in %s and %s", DASHBOARD, RULES).isEmpty();

    // The scrapes hold what the dashboard shows; a change to the runtime that drops one fails here.
    assertThat(exposed.keySet())
        .contains(
            "modelship_requests_total",
            "modelship_request_errors_total",
            "modelship_request_duration_seconds_bucket",
            "modelship_inflight_requests",
            "modelship_router_requests_total",
            "modelship_router_request_duration_seconds_bucket",
            "modelship_router_mirror_total",
            "modelship_queue_lag_records",
            "modelship_rollbacks_total");

    // The labels credited to the PodMonitor are the ones it writes.
    String podMonitor = Files.readString(POD_MONITOR);
    for (String l : POD_MONITOR_LABELS) {
      assertThat(podMonitor).contains("targetLabel: " + l);
    }
  }

  @Test
  void aTypoOrAMissingLabelIsReportedWithItsPlace() {
    Map<String, Set<String>> exposed = new LinkedHashMap<>();
    exposed.put("modelship_requests_total", Set.of("model", "status"));
    exposed.put("modelship_request_duration_seconds_bucket", Set.of("model", "le"));
    List<Source> queries =
        List.of(
            new Source("panel 'A' A", "sum(rate(modelship_request_total[5m]))"),
            new Source("panel 'B' A", "sum by (revison) (rate(modelship_requests_total[5m]))"),
            new Source("panel 'C' A", "modelship_requests_total{code=\"2xx\"}"),
            new Source(
                "panel 'D' A",
                "histogram_quantile(0.9, sum by (le, model) "
                    + "(rate(modelship_request_duration_seconds_bucket[5m])))"),
            new Source("panel 'E' A", "sum(rate(x[5m])"),
            new Source("panel 'F' A", "vector(1)"));
    assertThat(problems(queries, exposed))
        .containsExactly(
            "panel 'A' A: no component exposes modelship_request_total",
            "panel 'B' A: by revison: not a label of [modelship_requests_total]",
            "panel 'C' A: modelship_requests_total has no label code (has [model, status])",
            "panel 'E' A: unclosed ( at offset 15 of: sum(rate(x[5m])",
            "panel 'F' A: queries no metric: vector(1)");
  }

  @Test
  void rulesAreReadOneExprALineWithHelmValuesAsNumbers() {
    assertThat(
            ruleQueries(
                List.of(
                    "        - alert: A",
                    "          expr: rate(x_total[5m]) > {{ $t.ratio }}",
                    "        - alert: B",
                    "          expr: y > 1")))
        .containsExactly(
            new Source("alert A", "rate(x_total[5m]) > 0"), new Source("alert B", "y > 1"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ruleQueries(List.of("- alert: C", "  expr: |", "    x > 1")))
        .hasMessageContaining("alert C: keep expr on one line");
  }
}
