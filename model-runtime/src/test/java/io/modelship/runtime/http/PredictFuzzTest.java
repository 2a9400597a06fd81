package io.modelship.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Hostile bodies, headers and paths against the three predict APIs: thousands of malformed
 * requests, made from valid ones by seeded random mutations (the seed is printed, so a failure can
 * be replayed with -Dfuzz.seed=N). Every answer must be a 4xx with a JSON error (or a 200, when a
 * mutation happens to leave the request valid): never a 5xx, never a dropped connection, and the
 * heap must not keep what the requests brought.
 */
@QuarkusTest
class PredictFuzzTest {
  static final int REQUESTS = Integer.getInteger("fuzz.requests", 3000);

  @TestHTTPResource("/")
  URL base;

  HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** A valid request per API: the mutations start from these. */
  static final Map<String, String> VALID =
      Map.of(
          "/models/iris/predict",
          "{\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,\"petal_width\":0.2}",
          "/v1/models/iris:predict",
          "{\"instances\":[[5.1,3.5,1.4,0.2],{\"sepal_length\":6.0,\"sepal_width\":2.7,"
              + "\"petal_length\":5.1,\"petal_width\":1.6}]}",
          "/v2/models/iris/infer",
          "{\"id\":\"42\",\"inputs\":[{\"name\":\"float_input\",\"shape\":[1,4],"
              + "\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}");

  static final String[] TOKENS = {
    "null",
    "true",
    "-1",
    "0",
    "1e309",
    "-1e400",
    "\"NaN\"",
    "\"Infinity\"",
    "[]",
    "{}",
    "\"\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "1.7976931348623157e308",
    "-0",
    "[null]",
    "{\"\":1}",
    "\"sepal_length\"",
    "99999999999999999999999999999",
    "\"\\\\\"",
    ",",
    ":",
    "]",
    "}",
    "\""
  };

  byte[] mutate(byte[] valid, Random r) {
    String s = new String(valid, StandardCharsets.UTF_8);
    switch (r.nextInt(10)) {
      case 0:
        return s.substring(0, r.nextInt(s.length())).getBytes(StandardCharsets.UTF_8);
      case 1:
        {
          byte[] b = valid.clone();
          int flips = 1 + r.nextInt(3);
          for (int i = 0; i < flips; i++) {
            b[r.nextInt(b.length)] = (byte) r.nextInt(256); // invalid UTF-8 included
          }
          return b;
        }
      case 2:
        {
          int at = r.nextInt(s.length());
          return (s.substring(0, at) + TOKENS[r.nextInt(TOKENS.length)] + s.substring(at))
              .getBytes(StandardCharsets.UTF_8);
        }
      case 3:
        // A value replaced by a token of another type.
        return s.replaceFirst(
                "(?<=:)[^,}\\]]+",
                java.util.regex.Matcher.quoteReplacement(TOKENS[r.nextInt(TOKENS.length)]))
            .getBytes(StandardCharsets.UTF_8);
      case 4:
        {
          int depth = 100 + r.nextInt(5000);
          return ("[".repeat(depth) + "]".repeat(r.nextBoolean() ? depth : depth / 2))
              .getBytes(StandardCharsets.UTF_8);
        }
      case 5:
        // A huge number or string where a feature goes.
        return s.replaceFirst(
                "5\\.1",
                r.nextBoolean()
                    ? "9".repeat(1 + r.nextInt(20_000))
                    : "\"" + "x".repeat(1 + r.nextInt(100_000)) + "\"")
            .getBytes(StandardCharsets.UTF_8);
      case 6:
        // Duplicated keys, and a key removed.
        return s.replaceFirst("\\{\"", "{\"sepal_length\":1,\"")
            .replaceFirst("\"petal_width\":[^,}]+,?", "")
            .getBytes(StandardCharsets.UTF_8);
      case 7:
        return randomJson(r, 0).getBytes(StandardCharsets.UTF_8);
      case 8:
        // A batch of many rows, some broken.
        {
          StringBuilder b = new StringBuilder("[");
          int n = 1 + r.nextInt(2000);
          for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append(r.nextInt(50) == 0 ? "{\"a\":" : s);
          }
          return b.append("]").toString().getBytes(StandardCharsets.UTF_8);
        }
      default:
        {
          byte[] b = new byte[r.nextInt(512)];
          r.nextBytes(b);
          return b;
        }
    }
  }

  static String randomJson(Random r, int depth) {
    int k = depth > 4 ? r.nextInt(4) : r.nextInt(6);
    switch (k) {
      case 0:
        return TOKENS[r.nextInt(TOKENS.length)];
      case 1:
        return Double.toString(r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20));
      case 2:
        return "\"" + Long.toHexString(r.nextLong()) + "\"";
      case 3:
        return Integer.toString(r.nextInt());
      case 4:
        {
          List<String> items = new ArrayList<>();
          for (int i = r.nextInt(5); i > 0; i--) {
            items.add(randomJson(r, depth + 1));
          }
          return "[" + String.join(",", items) + "]";
        }
      default:
        {
          List<String> fields = new ArrayList<>();
          String[] keys = {"inputs", "instances", "sepal_length", "data", "shape", "name", "x"};
          for (int i = r.nextInt(5); i > 0; i--) {
            fields.add("\"" + keys[r.nextInt(keys.length)] + "\":" + randomJson(r, depth + 1));
          }
          return "{" + String.join(",", fields) + "}";
        }
    }
  }

  HttpResponse<String> send(String path, byte[] body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Test
  void malformedBodiesGetA4xxWithAReasonNeverA5xx() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    System.out.println("PredictFuzzTest: seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
    Random r = new Random(seed);
    List<String> paths = new ArrayList<>(new TreeMap<>(VALID).keySet());
    Map<Integer, Integer> statuses = new TreeMap<>();
    long heapBefore = heapAfterGc();
    for (int i = 0; i < REQUESTS; i++) {
      String path = paths.get(r.nextInt(paths.size()));
      byte[] body = mutate(VALID.get(path).getBytes(StandardCharsets.UTF_8), r);
      String type =
          r.nextInt(20) == 0
              ? new String[] {"text/plain", "application/json; charset=latin1", "*/*"}[r.nextInt(3)]
              : "application/json";
      HttpResponse<String> res;
      try {
        res = send(path, body, Map.of("Content-Type", type));
      } catch (IOException e) {
        throw new AssertionError(
            "request "
                + i
                + " (seed "
                + seed
                + ") lost its connection: "
                + e
                + " body: "
                + show(body),
            e);
      }
      statuses.merge(res.statusCode(), 1, Integer::sum);
      assertThat(res.statusCode())
          .as("request %d (seed %d) to %s: %s -> %s", i, seed, path, show(body), res.body())
          .satisfiesAnyOf(
              s -> assertThat(s).isEqualTo(200), s -> assertThat(s).isBetween(400, 499));
      if (res.statusCode() != 200) {
        assertThat(res.body())
            .as("request %d (seed %d): a 4xx says why, as JSON", i, seed)
            .startsWith("{")
            .contains("\"error\"");
      }
    }
    long grown = heapAfterGc() - heapBefore;
    System.out.println(
        "PredictFuzzTest: "
            + REQUESTS
            + " requests, statuses "
            + statuses
            + ", heap grown by "
            + grown / 1024
            + " KiB after GC");
    assertThat(statuses.keySet()).anyMatch(s -> s >= 400);
    assertThat(grown).as("heap kept after the fuzzing").isLessThan(64L * 1024 * 1024);
  }

  @Test
  void hostileHeadersAndPathsAreRefusedCleanly() throws Exception {
    byte[] ok = VALID.get("/models/iris/predict").getBytes(StandardCharsets.UTF_8);
    for (String path :
        List.of(
            "/models/../../etc/passwd/predict",
            "/models/%2e%2e%2f%2e%2e%2fetc%2fpasswd/predict",
            "/models/iris%00/predict",
            "/v2/models/..%2f..%2f/infer",
            "/v1/models/iris%2fpredict:predict",
            "/models/" + "a".repeat(4000) + "/predict")) {
      HttpResponse<String> res = send(path, ok, Map.of("Content-Type", "application/json"));
      assertThat(res.statusCode()).as(path + " -> " + res.body()).isBetween(400, 499);
      assertThat(res.body()).as(path).doesNotContain("root:");
    }
    // A header far beyond the server's limit: refused, not a 5xx. The server then closes that
    // connection, so this goes last on the shared client (which would otherwise reuse it).
    HttpResponse<String> huge =
        send("/models/iris/predict", ok, Map.of("X-Big", "a".repeat(64 * 1024)));
    assertThat(huge.statusCode()).isBetween(400, 499);
    // The server still answers normally afterwards, on a new connection.
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    assertThat(
            send("/models/iris/predict", ok, Map.of("Content-Type", "application/json"))
                .statusCode())
        .isEqualTo(200);
  }

  static String show(byte[] body) {
    String s = new String(body, StandardCharsets.UTF_8);
    return s.length() > 200 ? s.substring(0, 200) + "... (" + body.length + " bytes)" : s;
  }
}
