package io.modelship.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelship.operator.strategy.Analysis;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Talks to the routers of a ModelDeployment, pod by pod: reads their counters and the table they
 * route by ({@code GET /stats}), and replaces the table at once ({@code PUT /router/table}). A
 * router that does not answer within 2 s is skipped this time; the table file of its ConfigMap
 * reaches it anyway.
 */
@ApplicationScoped
public class RouterClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** What one router reported: the revisions it routes to, and its counters of each. */
  public record View(
      String stable,
      String candidate,
      int weight,
      long version,
      Analysis.Window stableWindow,
      Analysis.Window candidateWindow) {}

  /** The router's view, or null when it cannot be read. */
  public View stats(String endpoint) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://" + endpoint + "/stats"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return null;
      }
      return parse(JSON.readTree(r.body()));
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static View parse(JsonNode root) {
    JsonNode t = root.path("table");
    return new View(
        text(t.get("stable")),
        text(t.get("candidate")),
        t.path("candidateWeight").asInt(),
        t.path("version").asLong(0),
        window(root.get("stable")),
        window(root.get("candidate")));
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  private static Analysis.Window window(JsonNode side) {
    if (side == null || side.isNull()) {
      return Analysis.Window.empty();
    }
    long[] buckets = new long[Analysis.BUCKETS_MS.length + 1];
    int i = 0;
    for (Iterator<JsonNode> it = side.path("latencyBucketsMs").elements();
        it.hasNext() && i < buckets.length;
        i++) {
      buckets[i] = it.next().asLong();
    }
    Map<String, Long> labels = new HashMap<>();
    side.path("labels")
        .fields()
        .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asLong()));
    return new Analysis.Window(
        side.path("requests").asLong(),
        side.path("errors").asLong(),
        buckets,
        side.path("agreed").asLong(),
        side.path("disagreed").asLong(),
        labels);
  }

  /** Replaces the router's table: the HTTP status it answered, or 0 when it did not answer. */
  public int put(String endpoint, String token, String tableJson) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://" + endpoint + "/router/table"))
                  .timeout(Duration.ofSeconds(2))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString(tableJson))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** The sum of two windows (two routers' counters of one revision). */
  static Analysis.Window sum(Analysis.Window a, Analysis.Window b) {
    long[] buckets = new long[Math.max(a.latencyBuckets().length, b.latencyBuckets().length)];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] =
          (i < a.latencyBuckets().length ? a.latencyBuckets()[i] : 0)
              + (i < b.latencyBuckets().length ? b.latencyBuckets()[i] : 0);
    }
    Map<String, Long> labels = new HashMap<>(a.labels());
    b.labels().forEach((k, v) -> labels.merge(k, v, Long::sum));
    return new Analysis.Window(
        a.requests() + b.requests(),
        a.errors() + b.errors(),
        buckets,
        a.agreed() + b.agreed(),
        a.disagreed() + b.disagreed(),
        labels);
  }
}
