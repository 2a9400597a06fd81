package io.modelship.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelship.runtime.model.FeatureBatch;
import io.modelship.runtime.model.Prediction;
import io.modelship.runtime.model.ServedModel;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching on the digits model: concurrent requests are answered from shared model calls,
 * each with exactly its own rows (the same answers as the model gives each row alone), bad input is
 * still refused per request, and the batch-size histogram shows that batches really formed.
 */
@QuarkusTest
@TestProfile(BatchingTest.Batching.class)
class BatchingTest {
  static final Path DIGITS = Path.of("../examples/models/digits.onnx");

  public static class Batching implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      // A delay long enough that concurrent requests meet even on a busy test machine.
      return Map.of(
          "modelship.model", DIGITS.toString(),
          "modelship.batching.max-batch-size", "16",
          "modelship.batching.max-delay-ms", "20");
    }
  }

  static final ObjectMapper JSON = new ObjectMapper();

  @TestHTTPResource("/")
  URL root;

  /** Seeded images of grey levels 0-16; what they show does not matter, only that rows differ. */
  static double[][] images(int n) {
    Random random = new Random(9);
    double[][] rows = new double[n][64];
    for (double[] row : rows) {
      for (int j = 0; j < 64; j++) {
        row[j] = random.nextInt(17);
      }
    }
    return rows;
  }

  static String readable(double[] row) {
    StringBuilder b = new StringBuilder("{");
    for (int j = 0; j < 64; j++) {
      b.append(j == 0 ? "" : ",")
          .append("\"pixel_")
          .append(j / 8)
          .append('_')
          .append(j % 8)
          .append("\":")
          .append((int) row[j]);
    }
    return b.append('}').toString();
  }

  static String kserve(double[]... rows) {
    StringBuilder b = new StringBuilder("{\"instances\":[");
    for (int r = 0; r < rows.length; r++) {
      b.append(r == 0 ? "[" : ",[");
      for (int j = 0; j < 64; j++) {
        b.append(j == 0 ? "" : ",").append((int) rows[r][j]);
      }
      b.append(']');
    }
    return b.append("]}").toString();
  }

  /** The model's answer for one row alone, without the runtime's HTTP layer or batching. */
  static Prediction alone(ServedModel model, double[] row) throws Exception {
    Object[] columns = new Object[64];
    for (int j = 0; j < 64; j++) {
      columns[j] = new double[] {row[j]};
    }
    return model.predict(new FeatureBatch(1, columns));
  }

  CompletableFuture<HttpResponse<String>> post(HttpClient http, String path, String body) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create(root + path.substring(1)))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void concurrentRequestsGetTheirOwnAnswersFromSharedModelCalls() throws Exception {
    int n = 96;
    double[][] rows = images(n + 2);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long batchesBefore = metric("modelship_batch_size_rows_count");

    List<CompletableFuture<HttpResponse<String>>> readable = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      readable.add(post(http, "/models/digits/predict", readable(rows[i])));
    }
    // A two-row KServe request joins batches too, and gets both its rows back in order.
    var pair = post(http, "/v1/models/digits:predict", kserve(rows[n], rows[n + 1]));
    // Bad input is refused at once, on its own, and never reaches a batch.
    String outOfRange = readable(rows[0]).replace("\"pixel_3_4\":", "\"pixel_3_4\":17,\"x\":");
    var bad = post(http, "/models/digits/predict", outOfRange);

    try (ServedModel model = ServedModel.load(DIGITS, null, null)) {
      for (int i = 0; i < n; i++) {
        HttpResponse<String> r = readable.get(i).get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(r.body());
        Prediction expected = alone(model, rows[i]);
        assertThat(answer.get("label").asText())
            .as("request %d", i)
            .isEqualTo(expected.labels()[0]);
        for (int k = 0; k < 10; k++) {
          // One matrix product for many rows may add in another order than one row alone does.
          assertThat(answer.get("probabilities").get(Integer.toString(k)).floatValue())
              .as("request %d, probability of %d", i, k)
              .isCloseTo(expected.probabilities()[k], within(1e-5f));
        }
      }
      HttpResponse<String> p = pair.get();
      assertThat(p.statusCode()).as(p.body()).isEqualTo(200);
      JsonNode predictions = JSON.readTree(p.body()).get("predictions");
      assertThat(predictions.get(0).asText()).isEqualTo(alone(model, rows[n]).labels()[0]);
      assertThat(predictions.get(1).asText()).isEqualTo(alone(model, rows[n + 1]).labels()[0]);
    }

    HttpResponse<String> refused = bad.get();
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body()).contains("pixel_3_4", "must be at most 16 (got 17)", "\"x\"");

    // 97 requests with 98 rows went to the model in batches, and some had more than one row.
    long batches = metric("modelship_batch_size_rows_count") - batchesBefore;
    String text = metrics();
    System.out.println(
        "BatchingTest: 97 requests in "
            + batches
            + " model calls; "
            + text.lines().filter(l -> l.startsWith("modelship_batch_size_rows")).toList());
    assertThat(batches).isBetween(1L, 96L);
    assertThat(metric("modelship_batch_size_rows_sum")).isGreaterThanOrEqualTo(98);
    assertThat(metric("modelship_batch_size_rows_bucket", "le=\"1.0\""))
        .isLessThan(metric("modelship_batch_size_rows_count"));
  }

  String metrics() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    return http.send(
            HttpRequest.newBuilder(URI.create(root + "q/metrics")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** A sample of the digits model's meter, 0 when it does not exist yet. */
  long metric(String name, String... labels) throws Exception {
    for (String line : metrics().lines().toList()) {
      Matcher m = Pattern.compile("^" + name + "\\{([^}]*)} ([0-9.eE+-]+)$").matcher(line);
      if (m.matches()
          && m.group(1).contains("model=\"digits\"")
          && List.of(labels).stream().allMatch(m.group(1)::contains)) {
        return (long) Double.parseDouble(m.group(2));
      }
    }
    return 0;
  }
}
