package io.modelship.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged runtime predicts through its own HTTP endpoints before it reports ready, keeps those
 * requests out of its metrics, and becomes ready even when the warm-up cannot finish.
 */
class WarmupIT extends JarHarness {

  private Process serve(int port, Path log, String... extra) throws IOException {
    return start(log, List.of(), irisArgs(port, extra));
  }

  @Test
  void reportsReadyOnlyAfterTheWarmupAndLeavesItOutOfTheMetrics(@TempDir Path tmp)
      throws Exception {
    int port = freePort();
    Path log = tmp.resolve("runtime.log");
    // A warm-up that cannot end before its 5 s timeout (each readable or KServe v1 request waits a
    // second for a batch that never fills), so the test sees the runtime live but unready.
    Process p =
        start(
            log,
            List.of("-Dmodelship.warmup.timeout=5s"),
            irisArgs(
                port,
                "--warmup-requests",
                "10000",
                "--max-batch-size",
                "64",
                "--max-batch-delay-ms",
                "1000"));

    boolean sawUnreadyWhileLive = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      assertThat(System.nanoTime()).as("ready within 60 s").isLessThan(deadline);
      assertThat(p.isAlive()).as("runtime exited:\n%s", Files.readString(log)).isTrue();
      int ready;
      try {
        ready = get(port, "/v2/health/ready").statusCode();
      } catch (IOException notListening) {
        Thread.sleep(50);
        continue;
      }
      if (ready == 200) {
        assertThat(Files.readString(log))
            .as("ready only once the warm-up has ended")
            .contains("warm-up stopped after 5000 ms (modelship.warmup.timeout)");
        break;
      }
      assertThat(ready).isEqualTo(503);
      sawUnreadyWhileLive |= get(port, "/v2/health/live").statusCode() == 200;
      Thread.sleep(50);
    }
    assertThat(sawUnreadyWhileLive).as("live but not ready during the warm-up").isTrue();

    // The warm-up's requests were answered, in batches too, and none of them counted.
    String metrics = get(port, "/q/metrics").body();
    assertThat(metrics)
        .doesNotContain("modelship_requests_total{")
        .doesNotContain("modelship_request_duration_seconds_count{")
        .doesNotContain("modelship_batch_size_rows_count{");

    assertThat(post(port, "/models/iris/predict", SETOSA).statusCode()).isEqualTo(200);
    metrics = get(port, "/q/metrics").body();
    assertThat(metrics)
        .contains(
            "modelship_requests_total{endpoint=\"predict\",model=\"iris\",status=\"200\"} 1.0",
            "modelship_batch_size_rows_count{model=\"iris\"} 1")
        .doesNotContain("endpoint=\"v1_predict\"")
        .doesNotContain("endpoint=\"v2_infer\"");
  }

  @Test
  void warmsUpThroughAllThreeApisWithApiKeysOn(@TempDir Path tmp) throws Exception {
    int port = freePort();
    Path log = tmp.resolve("runtime.log");
    Path keys = tmp.resolve("keys.txt");
    Files.writeString(keys, "a-key-of-at-least-16-characters\n");
    Process p = serve(port, log, "--warmup-requests", "9", "--api-keys-file", keys.toString());
    awaitReady(port, p, log);

    assertThat(Files.readString(log)).contains("warmed up: 9 requests in");
    assertThat(get(port, "/q/metrics").body()).doesNotContain("modelship_requests_total{");

    // The warm-up's way past the keys ended with it.
    HttpResponse<String> guessed =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/models/iris/predict"))
                .header("Content-Type", "application/json")
                .header("x-modelship-warmup", "00000000000000000000000000000000")
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(SETOSA))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(guessed.statusCode()).isEqualTo(401);
    assertThat(get(port, "/q/metrics").body())
        .contains(
            "modelship_requests_total{endpoint=\"predict\",model=\"iris\",status=\"401\"} 1.0");
  }

  @Test
  void zeroWarmupRequestsTurnsItOff(@TempDir Path tmp) throws Exception {
    int port = freePort();
    Path log = tmp.resolve("runtime.log");
    Process p = serve(port, log, "--warmup-requests", "0");
    awaitReady(port, p, log);

    assertThat(Files.readString(log)).doesNotContain("warm");
    assertThat(post(port, "/models/iris/predict", SETOSA).statusCode()).isEqualTo(200);
  }

  @Test
  void aFailingWarmupEndsAtItsFirstFailureAndTheRuntimeBecomesReady(@TempDir Path tmp)
      throws Exception {
    int port = freePort();
    Path log = tmp.resolve("runtime.log");
    // Every prediction request is refused: its body is larger than the limit.
    Process p = serve(port, log, "--max-body-bytes", "16");
    awaitReady(port, p, log);

    assertThat(Files.readString(log))
        .contains(
            "warm-up stopped at request 1 of 60 (POST /models/iris/predict): answered 413",
            "ready anyway");
    assertThat(get(port, "/q/metrics").body()).doesNotContain("modelship_requests_total{");
  }
}
