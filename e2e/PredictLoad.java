import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded load of Iris predictions against a Modelship Service, for the real-node e2e suite
 * (run inside the cluster's network namespace: {@code e2e/cluster.sh exec java
 * e2e/PredictLoad.java ...}).
 *
 * <p>Sends {@code --rate} requests a second, each on a new connection (so kube-proxy spreads them
 * over the pods, as it does for many clients), until {@code --stop-file} appears, {@code
 * --max-seconds} pass or {@code --max-requests} are sent, whichever comes first. Every answer is
 * checked: status 200 and the label that both example models give the row. A request that fails
 * to connect, is reset, or gets a 502/503/504 is retried up to {@code --retries} times, after
 * 100 ms, then 200, 400, 800... (what a client's retry policy does); only a request that fails
 * after its retries counts as failed.
 *
 * <p>Prints one summary line and exits 0 when no request failed and no answer was wrong (with
 * {@code --allow-wrong true}: whatever the answers), 1 otherwise: {@code sent=N ok=N failed=N wrong=N retried=N revisions=rev:n,...},
 * then the errors, one line per kind ({@code   N x what}), and the latency of the right answers
 * per revision ({@code   latency rev: p50=X p99=Y max=Z ms}).
 */
public class PredictLoad {
  private static final String[][] ROWS = {
    {"{\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,\"petal_width\":0.2}", "setosa"},
    {"{\"sepal_length\":6.0,\"sepal_width\":2.9,\"petal_length\":4.5,\"petal_width\":1.5}", "versicolor"},
    {"{\"sepal_length\":6.7,\"sepal_width\":3.0,\"petal_length\":5.2,\"petal_width\":2.3}", "virginica"},
  };

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new TreeMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        usage("unexpected argument " + args[i]);
      }
      opt.put(args[i].substring(2), args[i + 1]);
    }
    if (args.length % 2 != 0 || !opt.containsKey("url")) {
      usage("--url is required");
    }
    String url = opt.get("url");
    double rate = Double.parseDouble(opt.getOrDefault("rate", "20"));
    long maxSeconds = Long.parseLong(opt.getOrDefault("max-seconds", "60"));
    long maxRequests = Long.parseLong(opt.getOrDefault("max-requests", "5000"));
    int retries = Integer.parseInt(opt.getOrDefault("retries", "0"));
    Path stopFile = opt.containsKey("stop-file") ? Path.of(opt.get("stop-file")) : null;
    // A rollout of a deliberately bad model answers wrongly until it is rolled back: count it.
    boolean allowWrong = Boolean.parseBoolean(opt.getOrDefault("allow-wrong", "false"));
    // One extra request header, NAME=VALUE (an A/B test's user group).
    String header = opt.get("header");
    if (header != null && header.indexOf('=') <= 0) {
      usage("--header is NAME=VALUE");
    }
    EXTRA_HEADER = header;
    if (rate <= 0 || maxSeconds <= 0 || maxRequests <= 0 || retries < 0) {
      usage("--rate, --max-seconds and --max-requests must be positive, --retries not negative");
    }
    // One connection per request: the JDK would otherwise keep one alive and pin it to a pod.
    System.setProperty("http.keepAlive", "false");

    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong wrong = new AtomicLong();
    AtomicLong retried = new AtomicLong();
    Map<String, AtomicLong> revisions = new ConcurrentHashMap<>();
    Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    Map<String, Queue<Long>> latencies = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);

    long intervalNanos = (long) (1e9 / rate);
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(maxSeconds);
    long sent = 0;
    while (sent < maxRequests && System.nanoTime() < deadline) {
      if (stopFile != null && Files.exists(stopFile)) {
        break;
      }
      String[] row = ROWS[(int) (sent % ROWS.length)];
      pool.execute(
          () -> {
            for (int attempt = 0; ; attempt++) {
              Result r = predict(url, row[0]);
              if (r.retryable && attempt < retries) {
                retried.incrementAndGet();
                sleep(100L << attempt);
                continue;
              }
              if (r.status != 200) {
                failed.incrementAndGet();
                errors.computeIfAbsent(r.error, k -> new AtomicLong()).incrementAndGet();
              } else if (!r.body.contains("\"label\":\"" + row[1] + "\"")) {
                wrong.incrementAndGet();
                errors.computeIfAbsent("wrong answer from " + r.revision, k -> new AtomicLong()).incrementAndGet();
              } else {
                ok.incrementAndGet();
                revisions.computeIfAbsent(r.revision, k -> new AtomicLong()).incrementAndGet();
                latencies.computeIfAbsent(r.revision, k -> new ConcurrentLinkedQueue<>()).add(r.micros);
              }
              return;
            }
          });
      sent++;
      long next = start + sent * intervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
    pool.shutdown();
    if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
      pool.shutdownNow();
      failed.addAndGet(sent - ok.get() - failed.get() - wrong.get());
      errors.put("still running 30 s after the last request was sent", new AtomicLong(1));
    }
    StringBuilder revs = new StringBuilder();
    new TreeMap<>(revisions).forEach((k, v) -> revs.append(revs.length() == 0 ? "" : ",").append(k).append(':').append(v));
    System.out.printf(
        "sent=%d ok=%d failed=%d wrong=%d retried=%d revisions=%s seconds=%.1f%n",
        sent, ok.get(), failed.get(), wrong.get(), retried.get(), revs,
        (System.nanoTime() - start) / 1e9);
    errors.forEach((k, v) -> System.out.printf("  %d x %s%n", v.get(), k));
    new TreeMap<>(latencies).forEach((k, v) -> {
      List<Long> l = new ArrayList<>(v);
      Collections.sort(l);
      System.out.printf(
          "  latency %s: p50=%.1f p99=%.1f max=%.1f ms%n",
          k, l.get((l.size() - 1) / 2) / 1e3, l.get((int) Math.ceil(0.99 * l.size()) - 1) / 1e3,
          l.get(l.size() - 1) / 1e3);
    });
    System.exit(failed.get() == 0 && (allowWrong || wrong.get() == 0) ? 0 : 1);
  }

  private static String EXTRA_HEADER;

  /** One attempt's outcome; {@code micros} from opening the connection to the whole answer read. */
  private record Result(
      int status, String body, String revision, String error, boolean retryable, long micros) {}

  private static Result predict(String url, String body) {
    HttpURLConnection c = null;
    long t0 = System.nanoTime();
    try {
      c = (HttpURLConnection) URI.create(url).toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(5000);
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setRequestProperty("Content-Type", "application/json");
      if (EXTRA_HEADER != null) {
        int eq = EXTRA_HEADER.indexOf('=');
        c.setRequestProperty(EXTRA_HEADER.substring(0, eq), EXTRA_HEADER.substring(eq + 1));
      }
      c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
      int status = c.getResponseCode();
      InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
      String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String revision = String.valueOf(c.getHeaderField("x-modelship-revision"));
      boolean retryable = status == 502 || status == 503 || status == 504;
      return new Result(
          status, text, revision, "HTTP " + status + ": " + text, retryable, micros(t0));
    } catch (IOException e) {
      return new Result(
          -1, "", "", e.getClass().getSimpleName() + ": " + e.getMessage(), true, micros(t0));
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  private static long micros(long since) {
    return (System.nanoTime() - since) / 1000;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void usage(String problem) {
    System.err.println("PredictLoad: " + problem);
    System.err.println(
        "usage: java e2e/PredictLoad.java --url http://IP:PORT/models/NAME/predict [--rate N]"
            + " [--max-seconds S] [--max-requests N] [--retries R] [--stop-file PATH]"
            + " [--allow-wrong true] [--header NAME=VALUE]");
    System.exit(2);
  }
}
