import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How long a fresh runtime takes to answer its first predictions, with and without the warm-up:
 * starts the packaged runtime on 127.0.0.1, waits until /v2/health/ready answers 200, then at once
 * times the first requests of a new client (a new connection), in turn through the three
 * prediction APIs. Both settings in every round, their order alternating. Run by
 * bench/first-requests.sh.
 *
 * <p>java bench/FirstRequests.java JAR MODEL ROUNDS REQUESTS WORKDIR [WARMUP_REQUESTS]
 */
public class FirstRequests {
  static final String READABLE =
      "{\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,\"petal_width\":0.2}";
  static final String[][] REQUESTS = {
    {"/models/iris/predict", READABLE},
    {"/v1/models/iris:predict", "{\"instances\":[" + READABLE + "]}"},
    {
      "/v2/models/iris/infer",
      "{\"inputs\":[{\"name\":\"float_input\",\"shape\":[1,4],\"datatype\":\"FP32\","
          + "\"data\":[5.1,3.5,1.4,0.2]}]}"
    }
  };

  record Run(double startupMs, double[] latenciesMs) {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    Path model = Path.of(args[1]);
    int rounds = Integer.parseInt(args[2]);
    int requests = Integer.parseInt(args[3]);
    Path work = Path.of(args[4]);
    String warmupRequests = args.length > 5 ? args[5] : null;
    Files.createDirectories(work);

    warmClientSide();
    HttpClient probe = HttpClient.newHttpClient();
    List<Run> on = new ArrayList<>();
    List<Run> off = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      boolean onFirst = r % 2 == 0;
      for (int k = 0; k < 2; k++) {
        boolean warm = (k == 0) == onFirst;
        String setting = warm ? (warmupRequests == null ? "default" : warmupRequests) : "0";
        Run run =
            run(jar, model, setting, requests, probe, work.resolve("round" + r + "-" + setting + ".log"));
        (warm ? on : off).add(run);
        System.out.printf(
            "round %d, --warmup-requests %-7s ready after %6.0f ms; first %d requests (ms): %s%n",
            r + 1, setting, run.startupMs(), requests, format(run.latenciesMs()));
      }
    }
    System.out.println();
    System.out.println(
        "| warm-up | ready after (median of rounds) | first request (median, max) | first "
            + requests
            + " requests p50 | p90 | max |");
    System.out.println("|---|---|---|---|---|---|");
    row("--warmup-requests " + (warmupRequests == null ? "default" : warmupRequests), on);
    row("--warmup-requests 0", off);
  }

  /**
   * Sends this JVM's own HTTP client through the same kind of requests against a stand-in server in
   * this process, so that the first timed requests measure the runtime, not the client's own class
   * loading and compilation.
   */
  static void warmClientSide() throws Exception {
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      for (int c = 0; c < 20; c++) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 50; i++) {
          String[] r = REQUESTS[i % REQUESTS.length];
          client.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.getAddress().getPort() + r[0]))
                  .header("Content-Type", "application/json")
                  .timeout(Duration.ofSeconds(30))
                  .POST(HttpRequest.BodyPublishers.ofString(r[1]))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
        }
      }
    } finally {
      server.stop(0);
    }
  }

  static void row(String name, List<Run> runs) {
    double[] startup = runs.stream().mapToDouble(Run::startupMs).sorted().toArray();
    double[] first = runs.stream().mapToDouble(r -> r.latenciesMs()[0]).sorted().toArray();
    double[] all = runs.stream().flatMapToDouble(r -> Arrays.stream(r.latenciesMs())).sorted().toArray();
    System.out.printf(
        "| %s | %.0f ms | %.1f ms, %.1f ms | %.1f ms | %.1f ms | %.1f ms |%n",
        name,
        pct(startup, 50),
        pct(first, 50),
        first[first.length - 1],
        pct(all, 50),
        pct(all, 90),
        all[all.length - 1]);
  }

  static Run run(Path jar, Path model, String warmup, int requests, HttpClient probe, Path log)
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", jar.toString()));
    cmd.addAll(
        List.of(
            "--model", model.toString(), "--port", Integer.toString(port), "--host", "127.0.0.1"));
    if (!warmup.equals("default")) {
      cmd.addAll(List.of("--warmup-requests", warmup));
    }
    long launched = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      URI ready = URI.create("http://127.0.0.1:" + port + "/v2/health/ready");
      while (true) {
        if (!p.isAlive()) {
          throw new IllegalStateException("runtime exited; see " + log);
        }
        if (System.nanoTime() - launched > TimeUnit.SECONDS.toNanos(120)) {
          throw new IllegalStateException("not ready in 120 s; see " + log);
        }
        try {
          if (probe.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                  .statusCode()
              == 200) {
            break;
          }
        } catch (IOException notListening) {
          // not yet
        }
        Thread.sleep(10);
      }
      double startupMs = (System.nanoTime() - launched) / 1e6;
      // A new client: a new connection, as the router's first request to a new pod opens one.
      HttpClient client =
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      double[] latencies = new double[requests];
      for (int i = 0; i < requests; i++) {
        String[] r = REQUESTS[i % REQUESTS.length];
        HttpRequest req =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + r[0]))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(r[1]))
                .build();
        long t0 = System.nanoTime();
        HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
        latencies[i] = (System.nanoTime() - t0) / 1e6;
        if (resp.statusCode() != 200) {
          throw new IllegalStateException(r[0] + " answered " + resp.statusCode() + ": " + resp.body());
        }
      }
      return new Run(startupMs, latencies);
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  static double pct(double[] sorted, double q) {
    int i = (int) Math.ceil(q / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static String format(double[] ms) {
    StringBuilder b = new StringBuilder();
    for (double v : ms) {
      b.append(b.length() == 0 ? "" : " ").append(String.format("%.1f", v));
    }
    return b.toString();
  }
}
