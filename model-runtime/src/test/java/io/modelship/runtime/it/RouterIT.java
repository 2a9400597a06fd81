package io.modelship.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router as a user runs it ({@code --mode router}) in front of two real runtime processes, Iris
 * v1 (stable) and Iris v2 (candidate), all on loopback, under bounded loads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouterIT extends JarHarness {
  static final String TOKEN = "router-admin-token-for-tests-0001";
  static final String[] ROWS = {
    SETOSA,
    "{\"sepal_length\":6.0,\"sepal_width\":2.9,\"petal_length\":4.5,\"petal_width\":1.5}",
    "{\"sepal_length\":6.7,\"sepal_width\":3.0,\"petal_length\":5.2,\"petal_width\":2.3}",
  };

  final List<Process> runtimes = new ArrayList<>();
  int v1;
  int v2;
  Path work;

  @BeforeAll
  void startRuntimes() throws Exception {
    work = Files.createTempDirectory("router-it");
    v1 = freePort();
    v2 = freePort();
    Process a = runtime(v1, "iris.onnx", "v1");
    Process b = runtime(v2, "iris-v2.onnx", "v2");
    awaitReady(v1, a, work.resolve("v1.log"));
    awaitReady(v2, b, work.resolve("v2.log"));
    Files.writeString(work.resolve("tokens"), TOKEN + "\n");
  }

  private Process runtime(int port, String model, String revision) throws IOException {
    Path log = work.resolve(revision + ".log");
    List<String> cmd =
        List.of(
            "java",
            "-jar",
            JAR.toString(),
            "--model",
            EXAMPLES.resolve(model).toString(),
            "--port",
            Integer.toString(port),
            "--host",
            "127.0.0.1",
            "--revision",
            revision);
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    runtimes.add(p);
    return p;
  }

  @AfterAll
  void stopRuntimes() throws InterruptedException {
    for (Process p : runtimes) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Starts a router with these flags (and the admin token file) and waits until it is ready. */
  int router(Path log, String... flags) throws Exception {
    int port = freePort();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--mode",
                "router",
                "--port",
                Integer.toString(port),
                "--host",
                "127.0.0.1",
                "--admin-token-file",
                work.resolve("tokens").toString()));
    args.addAll(List.of(flags));
    Process p = start(log, args.toArray(String[]::new));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("router exited early:\n%s", Files.readString(log)).isTrue();
      try {
        if (get(port, "/q/health/ready").statusCode() == 200) {
          return port;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("router not ready in 30 s:\n" + Files.readString(log));
  }

  /** A router with v1 as stable and v2 as candidate, and these further flags. */
  int v1v2(Path tmp, String... flags) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--stable",
                url(v1),
                "--stable-revision",
                "v1",
                "--candidate",
                url(v2),
                "--candidate-revision",
                "v2"));
    all.addAll(List.of(flags));
    return router(tmp.resolve("router.log"), all.toArray(String[]::new));
  }

  String url(int port) {
    return "http://127.0.0.1:" + port;
  }

  HttpResponse<String> predict(int port, int i, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url(port) + "/models/iris/predict"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(5))
            .POST(HttpRequest.BodyPublishers.ofString(ROWS[i % ROWS.length]));
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> putTable(int port, String token, String json) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url(port) + "/router/table"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(5))
            .PUT(HttpRequest.BodyPublishers.ofString(json));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends n requests from 4 threads; counts the answering revisions and the failures. */
  Map<String, Integer> load(int port, int n, Map<String, String> headers) throws Exception {
    Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(
          started(
              () -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                  String key;
                  try {
                    HttpResponse<String> r = predict(port, i, headers);
                    key =
                        r.statusCode() == 200
                            ? r.headers().firstValue("x-modelship-revision").orElse("?")
                            : "HTTP " + r.statusCode() + " " + r.body();
                  } catch (Exception e) {
                    key = e.toString();
                  }
                  counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                }
              }));
    }
    for (Thread t : threads) {
      t.join(TimeUnit.MINUTES.toMillis(2));
    }
    Map<String, Integer> out = new HashMap<>();
    counts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  @Test
  void splitsThreeThousandRequestsWithinThreePercentOfTheWeight(@TempDir Path tmp)
      throws Exception {
    int r = v1v2(tmp, "--candidate-weight", "20");
    Map<String, Integer> counts = load(r, 3000, Map.of());
    assertThat(counts.keySet()).containsOnly("v1", "v2");
    double share = counts.get("v2") / 3000.0;
    System.out.printf(
        "RouterIT: weight 20 %%: %d of 3000 requests to the candidate (%.2f %%)%n",
        counts.get("v2"), 100 * share);
    assertThat(share).isBetween(0.17, 0.23);
    String stats = get(r, "/stats").body();
    assertThat(stats).contains("\"candidateWeight\" : 20", "\"revision\" : \"v2\"");
  }

  @Test
  void theAbHeaderSendsEveryMatchingRequestToTheCandidate(@TempDir Path tmp) throws Exception {
    int r = v1v2(tmp, "--match-header", "x-user-group=beta");
    assertThat(load(r, 300, Map.of("x-user-group", "beta"))).containsOnly(Map.entry("v2", 300));
    assertThat(load(r, 300, Map.of("x-user-group", "alpha"))).containsOnly(Map.entry("v1", 300));
    assertThat(load(r, 300, Map.of())).containsOnly(Map.entry("v1", 300));
  }

  @Test
  void thePreviewPortSendsEverythingToTheCandidateAndCountsItThere(@TempDir Path tmp)
      throws Exception {
    int preview = freePort();
    int r = v1v2(tmp, "--preview-port", Integer.toString(preview));
    assertThat(load(preview, 200, Map.of())).containsOnly(Map.entry("v2", 200));
    assertThat(load(r, 100, Map.of())).containsOnly(Map.entry("v1", 100));
    String stats = get(r, "/stats").body();
    assertThat(stats).contains("\"candidateWeight\" : 0");
    // The candidate's counters hold the preview's requests: that is what BlueGreen analyses.
    assertThat(stats.replaceAll("\\s", ""))
        .containsPattern(
            "\"candidate\":\\{\"revision\":\"v2\",\"endpoints\":\\[[^]]*],\"requests\":200,");

    // With no candidate, the preview shows the stable revision.
    HttpResponse<String> put =
        putTable(r, TOKEN, "{\"stable\":\"" + url(v2) + "\",\"stableRevision\":\"v2\"}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(load(preview, 50, Map.of())).containsOnly(Map.entry("v2", 50));
  }

  @Test
  void theMirrorComparesAnswersAndNeverWaitsForTheCandidate(@TempDir Path tmp) throws Exception {
    int r = v1v2(tmp, "--mirror-percent", "100");
    assertThat(load(r, 300, Map.of())).containsOnly(Map.entry("v1", 300));
    // The two example models agree on the three rows sent.
    String stats = awaitStats(r, "\"mirrored\" : 300");
    assertThat(stats).contains("\"agreed\" : 300", "\"agreement\" : 1.0");

    // A candidate that accepts connections and never answers: every user request still gets
    // the stable's answer at once; copies beyond the in-flight limit are dropped and counted.
    try (ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> held = new ArrayList<>();
      AtomicBoolean open = new AtomicBoolean(true);
      Thread acceptor =
          started(
              () -> {
                while (open.get()) {
                  try {
                    held.add(blackHole.accept());
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      assertThat(
              putTable(
                      r,
                      TOKEN,
                      "{\"stable\":\""
                          + url(v1)
                          + "\",\"stableRevision\":\"v1\",\"candidate\":\"http://127.0.0.1:"
                          + blackHole.getLocalPort()
                          + "\",\"candidateRevision\":\"slow\",\"mirrorPercent\":100}")
                  .statusCode())
          .isEqualTo(200);
      long start = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        long t0 = System.nanoTime();
        HttpResponse<String> resp = predict(r, i, Map.of());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("x-modelship-revision")).contains("v1");
        // The upstream timeout is 10 s: an answer that waited for the copy would take that long.
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
      assertThat(get(r, "/stats").body()).containsPattern("\"mirrorDropped\" : [1-9]");
      open.set(false);
      blackHole.close();
      acceptor.join(1000);
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void mirroringToTheBrokenModelShowsItsDisagreementAndItsLabelShift(@TempDir Path tmp)
      throws Exception {
    int broken = freePort();
    Process b = runtime(broken, "iris-broken.onnx", "broken");
    awaitReady(broken, b, work.resolve("broken.log"));
    int r =
        router(
            tmp.resolve("router.log"),
            "--stable",
            url(v1),
            "--stable-revision",
            "v1",
            "--candidate",
            url(broken),
            "--candidate-revision",
            "broken",
            "--mirror-percent",
            "100");
    // Users only ever get the stable's answers, all of them right (PredictLoad's rows).
    assertThat(load(r, 300, Map.of())).containsOnly(Map.entry("v1", 300));
    String stats = awaitStats(r, "\"mirrored\" : 300");
    // The broken model answers every copy (no errors) and gets all three rows wrong; its label
    // distribution is what a label-shift gate compares with the stable's.
    assertThat(stats)
        .contains(
            "\"errors\" : 0",
            "\"agreed\" : 0",
            "\"disagreed\" : 300",
            "\"agreement\" : 0.0",
            "\"versicolor\" : 200",
            "\"virginica\" : 100");
  }

  @Test
  void weightsSwitchAndPromoteUnderLoadWithoutAFailedRequest(@TempDir Path tmp) throws Exception {
    int r = v1v2(tmp);
    Map<String, Integer>[] result = new Map[1];
    Thread loader =
        started(
            () -> {
              try {
                result[0] = load(r, 2000, Map.of());
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    String both =
        "\"stable\":\""
            + url(v1)
            + "\",\"stableRevision\":\"v1\",\"candidate\":\""
            + url(v2)
            + "\",\"candidateRevision\":\"v2\"";
    for (int w : new int[] {10, 25, 50, 75}) {
      Thread.sleep(150);
      HttpResponse<String> put = putTable(r, TOKEN, "{" + both + ",\"candidateWeight\":" + w + "}");
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }
    Thread.sleep(150);
    long t0 = System.nanoTime();
    HttpResponse<String> promote =
        putTable(r, TOKEN, "{\"stable\":\"" + url(v2) + "\",\"stableRevision\":\"v2\"}");
    assertThat(promote.statusCode()).isEqualTo(200);
    // The very next request is answered by the promoted revision.
    assertThat(predict(r, 0, Map.of()).headers().firstValue("x-modelship-revision")).contains("v2");
    Duration switched = Duration.ofNanos(System.nanoTime() - t0);
    System.out.printf(
        "RouterIT: promote (PUT /router/table) to the first answer of the promoted revision: %.1f ms%n",
        switched.toNanos() / 1e6);
    assertThat(switched).isLessThan(Duration.ofSeconds(1));
    loader.join(TimeUnit.MINUTES.toMillis(2));
    assertThat(result[0].keySet()).containsOnly("v1", "v2");
    assertThat(result[0].values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(2000);
  }

  @Test
  void refusesBadTableChangesAndKeepsRouting(@TempDir Path tmp) throws Exception {
    int r = router(tmp.resolve("router.log"), "--stable", url(v1), "--stable-revision", "v1");
    String good = "{\"stable\":\"" + url(v1) + "\",\"stableRevision\":\"v1\"}";
    assertThat(putTable(r, null, good).statusCode()).isEqualTo(401);
    assertThat(putTable(r, "wrong-token-of-enough-length", good).statusCode()).isEqualTo(401);
    HttpResponse<String> notJson = putTable(r, TOKEN, "{\"stable\":");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).contains("not a route table");
    HttpResponse<String> unknown =
        putTable(r, TOKEN, "{\"stable\":\"" + url(v1) + "\",\"weight\":5}");
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("weight");
    HttpResponse<String> invalid =
        putTable(r, TOKEN, "{\"stable\":\"ftp://x:1\",\"candidateWeight\":150}");
    assertThat(invalid.statusCode()).isEqualTo(422);
    assertThat(invalid.body())
        .contains("only http:// backends", "weight must be 0-100", "needs a candidate");
    assertThat(load(r, 50, Map.of())).containsOnly(Map.entry("v1", 50));
  }

  @Test
  void aTableFileIsFollowedWhenItChangesAndABrokenOneIsIgnored(@TempDir Path tmp) throws Exception {
    Path table = tmp.resolve("table.json");
    Files.writeString(table, "{\"stable\":\"" + url(v1) + "\",\"stableRevision\":\"v1\"}");
    Path log = tmp.resolve("router.log");
    int r = router(log, "--table-file", table.toString());
    assertThat(load(r, 30, Map.of())).containsOnly(Map.entry("v1", 30));

    // An A/B rule of two headers, as the ModelDeployment's spec.strategy.canary.match has them.
    Files.writeString(
        table,
        "{\"stable\":\""
            + url(v1)
            + "\",\"stableRevision\":\"v1\",\"candidate\":\""
            + url(v2)
            + "\",\"candidateRevision\":\"v2\","
            + "\"match\":[{\"headers\":{\"x-group\":\"beta\",\"x-region\":\"eu\"}}]}");
    awaitStats(r, "\"candidate\" : \"v2\"");
    assertThat(load(r, 30, Map.of("x-group", "beta", "x-region", "eu")))
        .containsOnly(Map.entry("v2", 30));
    assertThat(load(r, 30, Map.of("x-group", "beta"))).containsOnly(Map.entry("v1", 30));

    Files.writeString(table, "{\"stable\": oops");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.readString(log).contains("ignoring the changed table")) {
      assertThat(System.nanoTime()).as("the broken table was never reported").isLessThan(deadline);
      Thread.sleep(200);
    }
    assertThat(load(r, 30, Map.of("x-group", "beta", "x-region", "eu")))
        .containsOnly(Map.entry("v2", 30));
  }

  @Test
  void anOlderTableNeverReplacesANewerOneWhetherPutOrFromTheFile(@TempDir Path tmp)
      throws Exception {
    Path table = tmp.resolve("table.json");
    String onlyV1 = "\"stable\":\"" + url(v1) + "\",\"stableRevision\":\"v1\"";
    String onlyV2 = "\"stable\":\"" + url(v2) + "\",\"stableRevision\":\"v2\"";
    Files.writeString(table, "{" + onlyV1 + ",\"version\":10}");
    Path log = tmp.resolve("router.log");
    int r = router(log, "--table-file", table.toString());

    // The operator switches to v2 at once (version 20); the kubelet refreshes the file later.
    HttpResponse<String> put = putTable(r, TOKEN, "{" + onlyV2 + ",\"version\":20}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(load(r, 20, Map.of())).containsOnly(Map.entry("v2", 20));

    // A late file update of an older table (15) must not undo it, nor an older PUT.
    Files.writeString(table, "{" + onlyV1 + ",\"version\":15}");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!Files.readString(log).contains("version 15 is older than version 20")) {
      assertThat(System.nanoTime()).as("the older file was never looked at").isLessThan(deadline);
      Thread.sleep(200);
    }
    assertThat(load(r, 20, Map.of())).containsOnly(Map.entry("v2", 20));
    HttpResponse<String> stale = putTable(r, TOKEN, "{" + onlyV1 + ",\"version\":19}");
    assertThat(stale.statusCode()).isEqualTo(409);
    assertThat(stale.body()).contains("table version 19 is older than version 20 in force");

    // The file catching up with the same or a newer version is taken.
    Files.writeString(table, "{" + onlyV1 + ",\"version\":21}");
    awaitStats(r, "\"version\" : 21");
    assertThat(load(r, 20, Map.of())).containsOnly(Map.entry("v1", 20));
  }

  @Test
  void retriesOnAnotherEndpointWhenOneIsDown(@TempDir Path tmp) throws Exception {
    int dead = freePort();
    int r =
        router(
            tmp.resolve("router.log"),
            "--stable",
            "http://127.0.0.1:" + dead + "," + url(v1),
            "--stable-revision",
            "v1");
    assertThat(load(r, 200, Map.of())).containsOnly(Map.entry("v1", 200));
  }

  @Test
  void anUnreachableRevisionIsA502ThatNamesIt(@TempDir Path tmp) throws Exception {
    int dead = freePort();
    int r =
        router(
            tmp.resolve("router.log"),
            "--stable",
            "http://127.0.0.1:" + dead,
            "--stable-revision",
            "v9");
    HttpResponse<String> resp = predict(r, 0, Map.of());
    assertThat(resp.statusCode()).isEqualTo(502);
    assertThat(resp.headers().firstValue("x-modelship-revision")).contains("v9");
    assertThat(resp.body()).contains("could not reach the stable revision v9");
  }

  @Test
  void badRouterFlagsExitWithCode2AndSayWhy(@TempDir Path tmp) throws Exception {
    Path log = tmp.resolve("router.log");
    Process p = start(log, "--mode", "router", "--candidate-weight", "30", "--port", "0");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log))
        .contains("the stable revision's endpoints are required")
        .contains("needs a candidate revision");
  }

  private static Thread started(Runnable r) {
    Thread t = new Thread(r);
    t.start();
    return t;
  }

  private String awaitStats(int port, String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String body = "";
    while (System.nanoTime() < deadline) {
      body = get(port, "/stats").body();
      if (body.contains(expected)) {
        return body;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("stats never showed " + expected + ":\n" + body);
  }
}
