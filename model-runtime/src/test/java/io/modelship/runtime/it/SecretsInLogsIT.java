package io.modelship.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API keys and the router's admin token never reach the runtime's log: not when a request brings
 * the right one, a wrong one or a malformed header, not when the keys file is refused, and not with
 * every category logging at DEBUG and the HTTP access log on.
 */
class SecretsInLogsIT extends JarHarness {
  /**
   * Everything the runtime can log: DEBUG everywhere (its build allows no lower), access log on.
   */
  static final Map<String, String> VERBOSE =
      Map.of(
          "QUARKUS_LOG_LEVEL", "DEBUG",
          "QUARKUS_LOG_CATEGORY__IO_MODELSHIP__LEVEL", "DEBUG",
          "QUARKUS_HTTP_ACCESS_LOG_ENABLED", "true");

  static String secret(String name) {
    return "modelship-" + name + "-" + UUID.randomUUID();
  }

  HttpResponse<String> send(int port, String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(5))
            .method(method, HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Stops the process as Kubernetes does (SIGTERM, then its shutdown logging) and reads its log.
   */
  static String stopAndRead(Process p, Path log) throws Exception {
    p.destroy();
    p.waitFor(30, TimeUnit.SECONDS);
    return Files.readString(log);
  }

  static void assertHoldsNone(String log, List<String> secrets) {
    assertThat(log).as("the log is at DEBUG").contains("DEBUG");
    for (String s : secrets) {
      assertThat(log).doesNotContain(s);
      assertThat(log)
          .doesNotContain(Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void apiKeysNeverReachTheLogWhetherAcceptedOrRefused(@TempDir Path tmp) throws Exception {
    String first = secret("key-one");
    String second = secret("key-two");
    String wrong = first + "x";
    String almost = second.substring(0, second.length() - 1);
    Path keys = tmp.resolve("keys");
    Files.writeString(keys, "# the keys of the iris clients\n" + first + "\n\n" + second + "\n");
    int port = freePort();
    Path log = tmp.resolve("runtime.log");
    Process p =
        start(
            log,
            VERBOSE,
            "--model",
            EXAMPLES.resolve("iris.onnx").toString(),
            "--port",
            Integer.toString(port),
            "--host",
            "127.0.0.1",
            "--api-keys-file",
            keys.toString());
    awaitReady(port, p, log);

    String predict = "/models/iris/predict";
    assertThat(send(port, "POST", predict, SETOSA).statusCode()).isEqualTo(401);
    assertThat(send(port, "POST", predict, SETOSA, "Authorization", "Bearer " + wrong).statusCode())
        .isEqualTo(401);
    assertThat(send(port, "POST", predict, SETOSA, "x-api-key", almost).statusCode())
        .isEqualTo(401);
    String basic = Base64.getEncoder().encodeToString(("user:" + first).getBytes());
    assertThat(send(port, "POST", predict, SETOSA, "Authorization", "Basic " + basic).statusCode())
        .isEqualTo(401);
    assertThat(send(port, "POST", predict, SETOSA, "Authorization", "Bearer " + first).statusCode())
        .isEqualTo(200);
    assertThat(send(port, "POST", predict, SETOSA, "x-api-key", second).statusCode())
        .isEqualTo(200);
    // Refused for its body, after the key was accepted.
    assertThat(send(port, "POST", predict, "{\"sepal_length\":", "x-api-key", first).statusCode())
        .isEqualTo(400);
    assertThat(send(port, "GET", "/v2/models/iris", "", "x-api-key", second).statusCode())
        .isEqualTo(200);

    String text = stopAndRead(p, log);
    assertThat(text).as("the access log is on").contains(predict);
    assertHoldsNone(text, List.of(first, second, wrong, almost, basic));
  }

  @Test
  void aKeysFileItRefusesIsNamedButItsKeysAreNotPrinted(@TempDir Path tmp) throws Exception {
    String good = secret("key");
    String shortKey = "sh0rt-" + UUID.randomUUID().toString().substring(0, 8);
    Path keys = tmp.resolve("keys");
    Files.writeString(keys, good + "\n" + shortKey + "\n");
    Path log = tmp.resolve("refused.log");
    Process p =
        start(
            log,
            VERBOSE,
            "--model",
            EXAMPLES.resolve("iris.onnx").toString(),
            "--port",
            Integer.toString(freePort()),
            "--host",
            "127.0.0.1",
            "--api-keys-file",
            keys.toString());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isNotZero();
    String text = Files.readString(log);
    assertThat(text).contains(keys + ":2: API key is shorter than 16 characters");
    assertHoldsNone(text, List.of(good, shortKey));
  }

  @Test
  void theRoutersAdminTokenNeverReachesItsLog(@TempDir Path tmp) throws Exception {
    String token = secret("router-token");
    Path tokens = tmp.resolve("tokens");
    Files.writeString(tokens, token + "\n");
    int port = freePort();
    Path log = tmp.resolve("router.log");
    Process p =
        start(
            log,
            VERBOSE,
            "--mode",
            "router",
            "--port",
            Integer.toString(port),
            "--host",
            "127.0.0.1",
            "--admin-token-file",
            tokens.toString(),
            "--stable",
            "http://127.0.0.1:9",
            "--stable-revision",
            "v1");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        if (get(port, "/q/health/ready").statusCode() == 200) {
          break;
        }
      } catch (java.io.IOException e) {
        Thread.sleep(100); // not listening yet
      }
    }
    String table = "{\"stable\":\"http://127.0.0.1:9\",\"stableRevision\":\"v2\",\"version\":7}";
    String wrong = token.substring(1);
    assertThat(send(port, "PUT", "/router/table", table).statusCode()).isEqualTo(401);
    assertThat(
            send(port, "PUT", "/router/table", table, "Authorization", "Bearer " + wrong)
                .statusCode())
        .isEqualTo(401);
    assertThat(
            send(port, "PUT", "/router/table", table, "Authorization", "Bearer " + token)
                .statusCode())
        .isEqualTo(200);
    assertThat(
            send(port, "PUT", "/router/table", "{\"stable\":", "Authorization", "Bearer " + token)
                .statusCode())
        .isEqualTo(400);

    String text = stopAndRead(p, log);
    assertHoldsNone(text, List.of(token, wrong));
  }
}
