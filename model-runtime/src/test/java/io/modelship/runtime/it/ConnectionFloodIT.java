package io.modelship.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand hostile connections at once against the packaged runtime with a container's heap
 * (128 MiB), while a normal client keeps predicting: connections that stay silent, slowloris
 * clients sending their headers a byte a second, bodies trickled in a byte every two seconds,
 * requests whose answers are never read, and bodies of 1 MB stalled one byte short. The runtime
 * keeps memory bounded (a connection limit from the heap, a budget for buffered bodies), cuts the
 * slow clients off at its read deadlines and idle timeout, and keeps answering the normal client
 * fast. Every loop is bounded in count and time; everything stays on 127.0.0.1.
 */
class ConnectionFloodIT extends JarHarness {
  static final int CONNECTIONS = 10_000;
  static final int STALLED_BODIES = 128;
  static final int STALLED_BODY_BYTES = 1_000_000;
  static final long HEAP = 128L << 20;
  static final int CONNECTION_LIMIT = (int) (HEAP / (64 * 1024));
  static final long HEADER_TIMEOUT_MS = 3000;
  static final long BODY_TIMEOUT_MS = 3000;
  static final long IDLE_TIMEOUT_MS = 6000;
  static final long MIB = 1 << 20;

  /** What a flooding connection does once connected. */
  enum Kind {
    /** Nothing. */
    SILENT,
    /** A request's line and headers, one byte a second. */
    SLOW_HEADERS,
    /** Full headers at once, then the body one byte every two seconds. */
    SLOW_BODY,
    /** A full request at once, then never reads the answer. */
    UNREAD,
    /**
     * Headers of a 1 MB body, then all of it but the last byte, as fast as the socket takes it,
     * until an answer comes. Together they are as large as the heap.
     */
    STALLED_BODY
  }

  /** One flooding connection and what it saw. */
  static final class Flooder {
    final Kind kind;
    final SocketChannel channel;
    long connectedAt;
    long closedAt;
    int received;
    final StringBuilder head = new StringBuilder();
    ByteBuffer toSend;

    /** When a slow sender sends its next byte of {@link #toSend}; 0 for the others. */
    long nextByteAt;

    Flooder(Kind kind, SocketChannel channel) {
      this.kind = kind;
      this.channel = channel;
    }

    boolean closed() {
      return closedAt != 0;
    }

    long lifetimeMs() {
      return TimeUnit.NANOSECONDS.toMillis(closedAt - connectedAt);
    }

    String status() {
      int eol = head.indexOf("\r\n");
      return eol < 0 ? "" : head.substring(0, eol);
    }
  }

  static Kind kindOf(int i) {
    if (i < STALLED_BODIES) {
      return Kind.STALLED_BODY; // first, so that they get past the connection limit
    }
    return switch (i % 10) {
      case 0, 1, 2 -> Kind.SILENT;
      case 3, 4, 5 -> Kind.SLOW_HEADERS;
      case 6, 7 -> Kind.SLOW_BODY;
      default -> Kind.UNREAD;
    };
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] predictRequest() {
    return ascii(
        "POST /models/iris/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: "
            + SETOSA.length()
            + "\r\n\r\n"
            + SETOSA);
  }

  static byte[] stalledBody() {
    byte[] head =
        ascii(
            "POST /models/iris/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + STALLED_BODY_BYTES
                + "\r\n\r\n");
    byte[] all = Arrays.copyOf(head, head.length + STALLED_BODY_BYTES - 1);
    Arrays.fill(all, head.length, all.length, (byte) ' ');
    return all;
  }

  @Test
  void tenThousandHostileConnectionsCostBoundedMemoryAndTheNormalClientStaysFast(@TempDir Path tmp)
      throws Exception {
    int port = freePort();
    Path log = tmp.resolve("runtime.log");
    Process runtime =
        serveIris(
            port,
            log,
            List.of(
                "-Xmx128m",
                "-Dmodelship.http.header-timeout=" + HEADER_TIMEOUT_MS + "ms",
                "-Dmodelship.http.body-timeout=" + BODY_TIMEOUT_MS + "ms",
                "-Dquarkus.http.idle-timeout=" + IDLE_TIMEOUT_MS + "ms"));
    long pid = runtime.pid();

    try (NormalClient warmup = new NormalClient(port)) {
      for (int i = 0; i < 300; i++) {
        warmup.predict();
      }
    }
    long heapBefore = heapAfterGc(pid);
    long rssBefore = rss(pid, "VmRSS");

    RssSampler sampler = new RssSampler(pid);
    NormalClient normal = new NormalClient(port);
    Thread normalLoop = new Thread(normal::predictUntilStopped, "normal-client");
    sampler.start();
    normalLoop.start();
    long floodStart = System.nanoTime();
    List<Flooder> flood = flood(port);
    normal.stop.set(true);
    normalLoop.join(10_000);
    normal.close();
    long rssDuring = sampler.peak.get();

    // The unread answers: by now the idle timeout closed those connections; read what is left.
    readUnreadAnswers(flood);
    for (Flooder f : flood) {
      f.channel.close();
    }
    Thread.sleep(2000);
    long heapAfter = heapAfterGc(pid);
    long rssAfter = rss(pid, "VmRSS");
    sampler.stop.set(true);
    sampler.join(5000);
    long hwm = rss(pid, "VmHWM");

    Map<Kind, List<Flooder>> byKind = new EnumMap<>(Kind.class);
    for (Flooder f : flood) {
      byKind.computeIfAbsent(f.kind, k -> new ArrayList<>()).add(f);
    }
    String metrics = get(port, "/q/metrics").body();
    // Refused where accepted, or (before the runtime's first request) by Quarkus after set-up.
    long rejected =
        counter(metrics, "modelship_connections_refused_total")
            + counter(metrics, "vertx_http_connections_rejected_total");
    List<Flooder> answered = flood.stream().filter(f -> f.received > 0).toList();
    String runtimeLog = Files.readString(log);
    String report =
        String.format(
            "flood of %d connections: %d refused by the limit of %d, %d answered; RSS %d MiB"
                + " before, %d MiB peak (VmHWM %d MiB), %d MiB after; heap after GC %d MiB before,"
                + " %d MiB after; normal client: %d predictions, %d failed, p50 %.1f ms, p99 %.1f"
                + " ms, max %.1f ms (slowest:%s); read timeouts: %d headers, %d body%n%s%s",
            flood.size(),
            rejected,
            CONNECTION_LIMIT,
            answered.size(),
            rssBefore / MIB,
            rssDuring / MIB,
            hwm / MIB,
            rssAfter / MIB,
            heapBefore / MIB,
            heapAfter / MIB,
            normal.latenciesNanos.size(),
            normal.failures,
            normal.percentileMs(50),
            normal.percentileMs(99),
            normal.percentileMs(100),
            normal.slowest(floodStart),
            counter(metrics, "modelship_read_timeouts_total{phase=\"headers\"}"),
            counter(metrics, "modelship_read_timeouts_total{phase=\"body\"}"),
            summary(byKind),
            runtimeLog
                .lines()
                .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                .limit(20)
                .map(l -> "  runtime: " + l + "\n")
                .reduce("", String::concat));
    System.out.println(report);

    assertThat(runtime.isAlive()).as("runtime alive after the flood").isTrue();
    assertThat(runtimeLog).as(report).doesNotContain("OutOfMemoryError").doesNotContain("ERROR");

    // The normal client, on its keep-alive connection, was served throughout, and fast.
    assertThat(normal.failures).as(report).isZero();
    assertThat(normal.latenciesNanos.size()).as(report).isGreaterThan(100);
    assertThat(normal.percentileMs(50)).as(report).isLessThan(50);
    assertThat(normal.percentileMs(99)).as(report).isLessThan(1000);

    // The connection limit refused the surplus: closed as soon as accepted, without an answer.
    // (More than the limit are taken over the whole flood, as the first ones are cut off.)
    assertThat(rejected).as(report).isGreaterThan(CONNECTIONS / 2);
    assertThat(flood.stream().filter(f -> f.received == 0).count())
        .as(report)
        .isGreaterThanOrEqualTo(rejected);

    // Every connection was closed by the runtime, not by the test, and each slow client it took
    // was cut off by its deadline.
    assertThat(flood).as(report).allMatch(Flooder::closed);
    for (Flooder f : answered) {
      switch (f.kind) {
        case SILENT -> throw new AssertionError("a silent connection got an answer: " + f.head);
        case SLOW_HEADERS -> {
          assertThat(f.status()).as("slowloris").isEqualTo("HTTP/1.1 408 Request Timeout");
          assertThat(f.lifetimeMs()).isBetween(HEADER_TIMEOUT_MS - 1000, HEADER_TIMEOUT_MS + 7000);
        }
        case SLOW_BODY -> {
          assertThat(f.status()).as("slow body").isEqualTo("HTTP/1.1 408 Request Timeout");
          assertThat(f.lifetimeMs()).isBetween(BODY_TIMEOUT_MS - 1000, BODY_TIMEOUT_MS + 7000);
        }
        case UNREAD -> assertThat(f.status()).as("unread answer").isEqualTo("HTTP/1.1 200 OK");
        case STALLED_BODY ->
            assertThat(f.status())
                .as("stalled 1 MB body")
                .isIn("HTTP/1.1 503 Service Unavailable", "HTTP/1.1 408 Request Timeout");
      }
    }
    assertThat(answered).as(report).anyMatch(f -> f.kind == Kind.SLOW_HEADERS);
    assertThat(answered).as(report).anyMatch(f -> f.kind == Kind.SLOW_BODY);
    assertThat(answered).as(report).anyMatch(f -> f.kind == Kind.UNREAD);
    List<Flooder> stalled = byKind.get(Kind.STALLED_BODY);
    long overloaded = stalled.stream().filter(f -> f.status().contains(" 503 ")).count();
    assertThat(overloaded)
        .as("most 1 MB bodies refused before being read%n%s", report)
        .isGreaterThan(STALLED_BODIES / 2);
    assertThat(stalled)
        .filteredOn(f -> f.status().contains(" 503 "))
        .allSatisfy(f -> assertThat(f.head.toString().toLowerCase()).contains("retry-after: 1"));

    // Memory: bounded during the flood, back near where it started afterwards.
    assertThat(rssDuring).as(report).isLessThan(320 * MIB);
    assertThat(heapAfter).as(report).isLessThan(heapBefore + 8 * MIB);
    assertThat(rssAfter).as(report).isLessThan(rssBefore + 64 * MIB);

    // And a new client is served once the flood is over.
    try (NormalClient late = new NormalClient(port)) {
      late.predict();
    }
  }

  /** Opens the flood and drives it until the runtime has closed every connection it took. */
  List<Flooder> flood(int port) throws IOException, InterruptedException {
    byte[] predict = predictRequest();
    byte[] stalledBody = stalledBody();
    List<Flooder> all = new ArrayList<>(CONNECTIONS);
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(40);
    try (Selector selector = Selector.open()) {
      int opened = 0;
      while (System.nanoTime() < deadline) {
        // 250 at a time, 10 ms apart: a burst, short of overflowing the listen backlog (4096) into
        // SYN retries.
        for (int batch = 0; batch < 250 && opened < CONNECTIONS; batch++, opened++) {
          SocketChannel c = SocketChannel.open();
          c.configureBlocking(false);
          Flooder f = new Flooder(kindOf(opened), c);
          f.connectedAt = System.nanoTime(); // until the connection completes
          c.connect(new InetSocketAddress("127.0.0.1", port));
          c.register(selector, SelectionKey.OP_CONNECT, f);
          all.add(f);
        }
        selector.select(opened < CONNECTIONS ? 10 : 100);
        long now = System.nanoTime();
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          Flooder f = (Flooder) key.attachment();
          try {
            if (key.isValid() && key.isConnectable() && f.channel.finishConnect()) {
              connected(f, key, now, predict, stalledBody);
            }
            if (key.isValid() && key.isReadable()) {
              read(f, key, now);
            }
            if (key.isValid() && key.isWritable()) {
              f.channel.write(f.toSend);
              if (!f.toSend.hasRemaining()) {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
              }
            }
          } catch (IOException e) {
            closed(f, key, now);
          }
        }
        trickle(all, System.nanoTime());
        if (opened == CONNECTIONS && settled(all, System.nanoTime())) {
          break;
        }
      }
    }
    return all;
  }

  void connected(Flooder f, SelectionKey key, long now, byte[] predict, byte[] stalledBody)
      throws IOException {
    f.connectedAt = now;
    switch (f.kind) {
      case SILENT -> key.interestOps(SelectionKey.OP_READ);
      case SLOW_HEADERS -> {
        f.toSend = ByteBuffer.wrap(predict, 0, predict.length - SETOSA.length() - 2);
        f.nextByteAt = now;
        key.interestOps(SelectionKey.OP_READ);
      }
      case SLOW_BODY -> {
        f.toSend = ByteBuffer.wrap(predict);
        f.channel.write(ByteBuffer.wrap(predict, 0, predict.length - SETOSA.length()));
        f.toSend.position(predict.length - SETOSA.length());
        f.nextByteAt = now + TimeUnit.SECONDS.toNanos(2);
        key.interestOps(SelectionKey.OP_READ);
      }
      case UNREAD -> {
        f.channel.write(ByteBuffer.wrap(predict));
        key.interestOps(0);
      }
      case STALLED_BODY -> {
        f.toSend = ByteBuffer.wrap(stalledBody);
        f.channel.write(f.toSend);
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      }
    }
  }

  static void read(Flooder f, SelectionKey key, long now) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(4096);
    int n = f.channel.read(buf);
    if (n < 0) {
      closed(f, key, now);
      return;
    }
    f.received += n;
    if (f.head.length() < 512) {
      f.head.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
    }
    if (f.kind == Kind.STALLED_BODY) {
      key.interestOps(SelectionKey.OP_READ); // answered: stop sending
    }
  }

  static void closed(Flooder f, SelectionKey key, long now) throws IOException {
    if (!f.closed()) {
      f.closedAt = now;
    }
    key.cancel();
    f.channel.close();
  }

  /** The slow senders' next byte, for those whose time has come. */
  static void trickle(List<Flooder> all, long now) {
    for (Flooder f : all) {
      if (f.closed() || f.nextByteAt == 0 || now < f.nextByteAt || !f.toSend.hasRemaining()) {
        continue;
      }
      try {
        int end = f.toSend.limit();
        f.toSend.limit(f.toSend.position() + 1);
        f.channel.write(f.toSend);
        f.toSend.limit(end);
      } catch (IOException e) {
        // the runtime closed it; the read side records when
      }
      f.nextByteAt = now + TimeUnit.SECONDS.toNanos(f.kind == Kind.SLOW_BODY ? 2 : 1);
    }
  }

  /**
   * Whether the runtime has closed every connection that can learn of it, and the unread ones have
   * been idle past the idle timeout.
   */
  static boolean settled(List<Flooder> all, long now) {
    long idleEnough = TimeUnit.MILLISECONDS.toNanos(IDLE_TIMEOUT_MS + 2000);
    for (Flooder f : all) {
      if (f.kind == Kind.UNREAD) {
        if (!f.closed() && now - f.connectedAt < idleEnough) {
          return false;
        }
      } else if (!f.closed()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Reads, at last, what the runtime wrote to the connections that never read, and waits (20 s at
   * most) for the idle timeout to have closed them all.
   */
  static void readUnreadAnswers(List<Flooder> flood) throws IOException, InterruptedException {
    ByteBuffer buf = ByteBuffer.allocate(4096);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    boolean open = true;
    while (open && System.nanoTime() < deadline) {
      open = false;
      for (Flooder f : flood) {
        if (f.kind != Kind.UNREAD || f.closed()) {
          continue;
        }
        int n;
        do {
          buf.clear();
          try {
            n = f.channel.read(buf);
          } catch (IOException e) {
            n = -1;
          }
          if (n > 0) {
            f.received += n;
            f.head.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
          }
        } while (n > 0);
        if (n < 0) {
          f.closedAt = System.nanoTime();
          f.channel.close();
        } else {
          open = true;
        }
      }
      Thread.sleep(open ? 200 : 0);
    }
  }

  static String summary(Map<Kind, List<Flooder>> byKind) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<Kind, List<Flooder>> e : byKind.entrySet()) {
      Map<String, Integer> endings = new TreeMap<>();
      for (Flooder f : e.getValue()) {
        String ending = !f.closed() ? "open" : f.received == 0 ? "closed, no answer" : f.status();
        endings.merge(ending, 1, Integer::sum);
      }
      b.append(String.format("  %-12s %s", e.getKey(), endings));
      long[] lifetimes =
          e.getValue().stream()
              .filter(f -> f.received > 0 && f.kind != Kind.UNREAD)
              .mapToLong(Flooder::lifetimeMs)
              .sorted()
              .toArray();
      if (lifetimes.length > 0) {
        b.append(
            String.format(
                "; answered ones lived %d-%d ms", lifetimes[0], lifetimes[lifetimes.length - 1]));
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** A counter's value in Prometheus text, 0 when absent. */
  static long counter(String metrics, String series) {
    return metrics
        .lines()
        .filter(l -> l.startsWith(series + " "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(series.length() + 1).strip()))
        .findFirst()
        .orElse(0);
  }

  /** {@code VmRSS} or {@code VmHWM} of a process, in bytes. */
  static long rss(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
  }

  /** The runtime's heap in use right after a full collection, through {@code jcmd}. */
  static long heapAfterGc(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    Matcher m = Pattern.compile("used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
    assertThat(m.find()).as("jcmd GC.heap_info output").isTrue();
    return Long.parseLong(m.group(1)) * 1024;
  }

  static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path beside = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    String exe = Files.isExecutable(beside) ? beside.toString() : "jcmd";
    Process p =
        new ProcessBuilder(exe, Long.toString(pid), command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("jcmd finished").isTrue();
    return new String(out, StandardCharsets.UTF_8);
  }

  /** Samples a process's RSS every 100 ms and keeps the peak. */
  static final class RssSampler extends Thread {
    final long pid;
    final AtomicLong peak = new AtomicLong();
    final AtomicBoolean stop = new AtomicBoolean();

    RssSampler(long pid) {
      super("rss-sampler");
      this.pid = pid;
      setDaemon(true);
    }

    @Override
    public void run() {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!stop.get() && System.nanoTime() < end) {
        try {
          peak.accumulateAndGet(rss(pid, "VmRSS"), Math::max);
          Thread.sleep(100);
        } catch (IOException | InterruptedException e) {
          return;
        }
      }
    }
  }

  /**
   * A well-behaved client: one keep-alive connection, one prediction at a time, every answer read
   * in full and checked.
   */
  static final class NormalClient implements AutoCloseable {
    final Socket socket;
    final OutputStream out;
    final InputStream in;
    final byte[] request = predictRequest();
    final List<Long> latenciesNanos = new ArrayList<>();
    final List<Long> startedAt = new ArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();
    int failures;

    NormalClient(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    }

    void predict() throws IOException {
      out.write(request);
      out.flush();
      String head = readHead();
      assertThat(head).startsWith("HTTP/1.1 200 ");
      Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
      assertThat(m.find()).isTrue();
      String body = new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
      assertThat(body).contains("\"label\":\"setosa\"");
    }

    private String readHead() throws IOException {
      StringBuilder b = new StringBuilder();
      while (b.length() < 8192
          && (b.length() < 4 || !b.substring(b.length() - 4).equals("\r\n\r\n"))) {
        int c = in.read();
        if (c < 0) {
          throw new IOException("connection closed after " + b);
        }
        b.append((char) c);
      }
      return b.toString();
    }

    /** Predicts every 20 ms until stopped, or for a minute at most. */
    void predictUntilStopped() {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!stop.get() && System.nanoTime() < end) {
        long t0 = System.nanoTime();
        try {
          predict();
          latenciesNanos.add(System.nanoTime() - t0);
          startedAt.add(t0);
        } catch (IOException | AssertionError e) {
          failures++;
          System.out.println("normal client: " + e);
          return; // its one connection is gone
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** The slowest predictions, with when they started. */
    String slowest(long since) {
      StringBuilder b = new StringBuilder();
      java.util.stream.IntStream.range(0, latenciesNanos.size())
          .boxed()
          .sorted((a, c) -> Long.compare(latenciesNanos.get(c), latenciesNanos.get(a)))
          .limit(5)
          .forEach(
              i ->
                  b.append(
                      String.format(
                          " %.0f ms at +%.1f s;",
                          latenciesNanos.get(i) / 1e6, (startedAt.get(i) - since) / 1e9)));
      return b.toString();
    }

    double percentileMs(int p) {
      long[] sorted = latenciesNanos.stream().mapToLong(Long::longValue).sorted().toArray();
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
      return sorted[Math.max(0, i)] / 1e6;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
