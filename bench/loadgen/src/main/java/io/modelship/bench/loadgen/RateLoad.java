package io.modelship.bench.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Constant-rate (open-loop) HTTP POST load, for latency at a given request rate.
 *
 * <p>Debian's wrk only has a closed loop (each connection sends its next request when the last
 * answer arrives), so its percentiles at full load mostly measure queueing. This tool makes
 * request {@code i} due at {@code t0 + i / rate} whether or not earlier answers have come back,
 * sends it on the first idle keep-alive connection of a fixed pool (or, if none is idle, as soon as
 * one is), and measures its latency from when it was due, not from when it actually left: a stall
 * in the server or in this client shows up in the percentiles instead of silently lowering the
 * rate (the "coordinated omission" correction that wrk2 makes).
 *
 * <p>It is plain Netty on one event-loop thread, writing the same pre-encoded request bytes every
 * time, so that its own cost per request stays small. With the native epoll transport the pacing
 * timer has microsecond precision; elsewhere Netty's NIO timers round up to whole milliseconds,
 * which adds up to 1 ms to each latency, and the output says {@code transport=nio}.
 *
 * <p>The first {@code --warmup} seconds are sent the same way but not recorded. The run is bounded:
 * after {@code --warmup + --duration} seconds nothing new is due, and answers still missing {@code
 * --timeout-ms} later are counted as timeouts.
 *
 * <p>Usage: {@code java -jar rate-load.jar --url http://127.0.0.1:8080/path --body body.json
 * --rate 5000 [--duration 15] [--warmup 3] [--connections 32] [--timeout-ms 10000]}
 *
 * <p>Prints one line of {@code key=value} pairs, latencies in milliseconds. {@code send_lag_*} is
 * how long measured requests waited in this client, from due to written, including waiting for a
 * free connection; {@code queued_pct} is the share of requests that found all connections busy
 * (the server was behind); {@code timer_late_p99_ms} is how late the pacing timer fired (this
 * client's own scheduling delay).
 */
public final class RateLoad {

  private final String host;
  private final int port;
  private final ByteBuf request;
  private final double rate;
  private final long warmupNanos;
  private final long totalNanos;
  private final int connections;
  private final long timeoutMs;

  private final long intervalPicos;
  private final long plannedTotal;
  private final long plannedWarmup;
  private final long[] latencies;
  private final long[] sendLags;

  // Everything below is touched on the one event loop only.
  private final ArrayDeque<Conn> idle = new ArrayDeque<>();
  private int recorded;
  private int lagged;
  private long errors;
  private long non2xx;
  private long reconnects;
  /** Measured requests that found no idle connection when they became due. */
  private long queued;
  /** How late the pacing timer fired, once per tick that made something due (measured part). */
  private final long[] timerLate = new long[1 << 20];
  private int timerLateCount;
  /** Requests with an index below this are due. */
  private long due;
  /** Due requests with an index from here up to {@code due} wait for a connection. */
  private long nextToSend;

  private long completed;
  private long t0;
  private boolean over;

  private Bootstrap bootstrap;
  private EventLoop loop;
  private final CountDownLatch done = new CountDownLatch(1);

  private RateLoad(
      String host,
      int port,
      ByteBuf request,
      double rate,
      double warmupS,
      double durationS,
      int connections,
      long timeoutMs) {
    this.host = host;
    this.port = port;
    this.request = request;
    this.rate = rate;
    this.warmupNanos = (long) (warmupS * 1e9);
    this.totalNanos = (long) ((warmupS + durationS) * 1e9);
    this.connections = connections;
    this.timeoutMs = timeoutMs;
    // Picoseconds between two due times, so that high rates do not drift.
    this.intervalPicos = Math.round(1e12 / rate);
    this.plannedTotal = (long) Math.floor(rate * (warmupS + durationS));
    this.plannedWarmup = (long) Math.ceil(rate * warmupS);
    int measured = (int) Math.max(0, plannedTotal - plannedWarmup) + 16;
    this.latencies = new long[measured];
    this.sendLags = new long[measured];
  }

  public static void main(String[] args) throws Exception {
    String url = null;
    Path bodyFile = null;
    double rate = 0;
    double duration = 15;
    double warmup = 3;
    int connections = 32;
    long timeoutMs = 10_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--url" -> url = args[++i];
        case "--body" -> bodyFile = Path.of(args[++i]);
        case "--rate" -> rate = Double.parseDouble(args[++i]);
        case "--duration" -> duration = Double.parseDouble(args[++i]);
        case "--warmup" -> warmup = Double.parseDouble(args[++i]);
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--timeout-ms" -> timeoutMs = Long.parseLong(args[++i]);
        default -> usage("unknown argument " + args[i]);
      }
    }
    if (url == null || bodyFile == null || rate <= 0 || duration <= 0 || warmup < 0) {
      usage("--url, --body and a positive --rate are required");
    }
    if (connections < 1) {
      usage("--connections must be at least 1");
    }
    URI uri = URI.create(url);
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
      usage("only http://HOST:PORT/PATH URLs");
    }
    String host = uri.getHost();
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    String path = uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
    if (path.isEmpty()) {
      path = "/";
    }
    byte[] body = Files.readAllBytes(bodyFile);
    byte[] head =
        ("POST " + path + " HTTP/1.1\r\n"
                + "Host: " + host + ":" + port + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    ByteBuf request =
        Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(head.length + body.length).writeBytes(head).writeBytes(body));

    new RateLoad(host, port, request, rate, warmup, duration, connections, timeoutMs).run();
  }

  private static void usage(String why) {
    System.err.println("rate-load: " + why);
    System.err.println(
        "usage: --url http://HOST:PORT/PATH --body FILE --rate REQ_PER_S [--duration S]"
            + " [--warmup S] [--connections N] [--timeout-ms MS]");
    System.exit(2);
  }

  private long dueTime(long i) {
    return t0 + Math.multiplyExact(i, intervalPicos) / 1000;
  }

  private void run() throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
    loop = group.next();
    bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpResponseDecoder(), new Conn());
                  }
                });

    // Open the whole pool before the clock starts.
    for (int i = 0; i < connections; i++) {
      ChannelFuture f = bootstrap.connect(host, port).await();
      if (!f.isSuccess()) {
        System.err.println("rate-load: cannot connect to " + host + ":" + port + ": " + f.cause());
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        System.exit(1);
      }
    }

    loop.execute(
        () -> {
          t0 = System.nanoTime() + 10_000_000;
          schedule();
        });

    long bound = totalNanos / 1_000_000 + timeoutMs + 5_000;
    if (!done.await(bound, TimeUnit.MILLISECONDS)) {
      System.err.println("rate-load: did not finish within " + bound + " ms");
    }
    String transport = epoll ? "epoll" : "nio";
    CountDownLatch reported = new CountDownLatch(1);
    loop.execute(
        () -> {
          over = true;
          report(transport);
          reported.countDown();
        });
    reported.await(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    System.exit(0);
  }

  /** Arms the timer for the next due time, with nanosecond resolution on epoll. */
  private void schedule() {
    long delay = dueTime(due) - System.nanoTime();
    loop.schedule(this::tick, Math.max(0, delay), TimeUnit.NANOSECONDS);
  }

  /** Makes due every request whose time has come, sends what the idle connections can take. */
  private void tick() {
    long now = System.nanoTime();
    long firstDue = due;
    while (due < plannedTotal && dueTime(due) <= now) {
      due++;
    }
    if (due > firstDue && firstDue >= plannedWarmup && timerLateCount < timerLate.length) {
      timerLate[timerLateCount++] = now - dueTime(firstDue);
    }
    Conn c;
    while (nextToSend < due && (c = idle.pollFirst()) != null) {
      c.send(nextToSend++);
    }
    // Of the requests that became due just now, those not sent found every connection busy.
    queued += Math.max(0, due - Math.max(nextToSend, Math.max(firstDue, plannedWarmup)));
    if (due < plannedTotal) {
      schedule();
    } else {
      drain();
    }
  }

  private void drain() {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    loop.scheduleAtFixedRate(
        () -> {
          if ((nextToSend >= due && completed >= due) || System.nanoTime() > deadline) {
            if (done.getCount() > 0) {
              done.countDown();
            }
          }
        },
        1,
        1,
        TimeUnit.MILLISECONDS);
  }

  private void finished(long index, long dueAt, boolean ok, int status) {
    long latency = System.nanoTime() - dueAt;
    completed++;
    if (index < plannedWarmup) {
      return;
    }
    if (!ok) {
      errors++;
    } else if (status / 100 != 2) {
      non2xx++;
    } else if (recorded < latencies.length) {
      latencies[recorded++] = latency;
    }
  }

  /** One keep-alive connection with at most one request in flight. */
  private final class Conn extends ChannelInboundHandlerAdapter {
    private Channel channel;
    private long index = -1;
    private long dueAt;
    private int status;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      channel = ctx.channel();
      ready();
    }

    void send(long i) {
      index = i;
      dueAt = dueTime(i);
      status = 0;
      if (i >= plannedWarmup && lagged < sendLags.length) {
        sendLags[lagged++] = System.nanoTime() - dueAt;
      }
      channel.writeAndFlush(request.retainedDuplicate(), channel.voidPromise());
    }

    /** Takes the next waiting request, or goes back to the idle pool (the end of the queue). */
    void ready() {
      if (nextToSend < due) {
        send(nextToSend++);
      } else {
        idle.addLast(this);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpResponse r) {
          status = r.status().code();
        }
        if (msg instanceof LastHttpContent && index >= 0) {
          long i = index;
          index = -1;
          finished(i, dueAt, true, status);
          ready();
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      idle.remove(this);
      if (index >= 0) {
        long i = index;
        index = -1;
        finished(i, dueAt, false, 0);
      }
      // The server closed the connection: replace it while the run goes on.
      if (!over) {
        reconnects++;
        bootstrap.connect(host, port);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private void report(String transport) {
    long measuredPlanned = plannedTotal - plannedWarmup;
    long timeouts = Math.max(0, due - completed);
    long[] l = Arrays.copyOf(latencies, recorded);
    Arrays.sort(l);
    long[] lag = Arrays.copyOf(sendLags, lagged);
    Arrays.sort(lag);
    long[] late = Arrays.copyOf(timerLate, timerLateCount);
    Arrays.sort(late);
    double measuredSeconds = (totalNanos - warmupNanos) / 1e9;
    System.out.println(
        String.format(
            Locale.ROOT,
            "target_rate=%.1f achieved_rate=%.1f requests=%d ok=%d errors=%d non2xx=%d"
                + " timeouts=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f"
                + " send_lag_p50_ms=%.3f send_lag_p99_ms=%.3f timer_late_p99_ms=%.3f"
                + " timer_late_max_ms=%.3f queued_pct=%.2f reconnects=%d transport=%s",
            rate,
            recorded / measuredSeconds,
            measuredPlanned,
            recorded,
            errors,
            non2xx,
            timeouts,
            pct(l, 0.50),
            pct(l, 0.90),
            pct(l, 0.99),
            pct(l, 0.999),
            l.length == 0 ? Double.NaN : l[l.length - 1] / 1e6,
            pct(lag, 0.50),
            pct(lag, 0.99),
            pct(late, 0.99),
            late.length == 0 ? Double.NaN : late[late.length - 1] / 1e6,
            measuredPlanned == 0 ? 0.0 : 100.0 * queued / measuredPlanned,
            reconnects,
            transport));
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int idx = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(idx, sorted.length - 1))] / 1e6;
  }
}
