package io.modelship.runtime.http;

import io.modelship.runtime.http.ModelService.Loaded;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.value.registry.ValueRegistry;
import io.quarkus.vertx.http.HttpServer;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Before the runtime reports ready, it sends itself prediction requests over HTTP on loopback,
 * through the same endpoints and code as its clients' requests (see {@link WarmupRequests}). A
 * fresh JVM answers its first requests slowly (class loading, first compilations, the first use of
 * the HTTP, JSON and ONNX Runtime paths); without this, a new pod's first clients pay for it, and a
 * rollout's latency gate may judge a healthy candidate by it.
 *
 * <p>Bounded by {@code modelship.warmup.requests} and {@code modelship.warmup.timeout}. A request
 * that fails ends the warm-up early; the runtime then becomes ready anyway, with the problem in the
 * log, since a model that fails on every request is for the rollout's error-rate gate to judge, not
 * a reason to stay unready forever.
 *
 * <p>Its requests carry a per-process secret in {@value #HEADER}: {@link PredictRoutes} leaves them
 * out of the metrics and lets them through without an API key.
 */
@ApplicationScoped
public class Warmup {
  private static final Logger LOG = Logger.getLogger(Warmup.class);

  /** The header that marks the warm-up's own requests; its value is never logged. */
  static final String HEADER = "x-modelship-warmup";

  @Inject ModelService service;
  @Inject RuntimeConfig config;
  @Inject Vertx vertx;
  @Inject ValueRegistry values;

  /** 128 random bits, hex: the value of {@value #HEADER}. */
  private final String token;

  private final byte[] tokenBytes;

  /** Where the server listens, once it does. */
  private volatile RequestOptions target;

  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile boolean running;
  private volatile HttpClient client;
  private volatile long timer;
  private volatile long startNanos;
  private volatile int answered;

  public Warmup() {
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    token = HexFormat.of().formatHex(random);
    tokenBytes = token.getBytes(StandardCharsets.US_ASCII);
  }

  /** Fired once per event loop whose server listens; the first one is enough. */
  void onListening(@ObservesAsync HttpServerStart event) {
    String host = event.options().getHost();
    if (host == null || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1"; // listening everywhere includes loopback
    }
    // The port bound, which the options do not hold when it was chosen at random.
    int port = values.getOrDefault(HttpServer.HTTP_PORT, event.options().getPort());
    if (target == null) {
      target = new RequestOptions().setHost(host).setPort(port);
    }
    start();
  }

  /** After {@link ModelService} has loaded the model (its observer runs first). */
  void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
    start();
  }

  /** Whether this request is one of the warm-up's own, sent while it runs. */
  public boolean sent(HttpServerRequest request) {
    if (!running) {
      return false;
    }
    String value = request.getHeader(HEADER);
    return value != null
        && MessageDigest.isEqual(value.getBytes(StandardCharsets.US_ASCII), tokenBytes);
  }

  private void start() {
    Loaded l = service.loaded();
    RequestOptions t = target;
    if (l == null || t == null || service.warm() || !started.compareAndSet(false, true)) {
      return;
    }
    int count = config.warmup().requests();
    long timeoutMs = Math.max(1, config.warmup().timeout().toMillis());
    List<WarmupRequests.Request> plan;
    try {
      plan = WarmupRequests.of(l.model().signature());
    } catch (RuntimeException e) {
      LOG.warn("warm-up skipped: no request could be built from the model card: " + e, e);
      service.markWarm();
      return;
    }
    client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setConnectTimeout(2000),
            new PoolOptions().setHttp1MaxSize(1));
    running = true;
    startNanos = System.nanoTime();
    timer =
        vertx.setTimer(
            timeoutMs,
            id ->
                finish(
                    "warm-up stopped after "
                        + timeoutMs
                        + " ms (modelship.warmup.timeout), "
                        + answered
                        + " of "
                        + count
                        + " requests answered; ready anyway"));
    try {
      send(t, plan, 0, count);
    } catch (RuntimeException e) {
      finish("warm-up failed to start: " + e + "; ready anyway");
    }
  }

  /** Sends request {@code i} and, when it succeeds, the next; the timer alone bounds the time. */
  private void send(RequestOptions t, List<WarmupRequests.Request> plan, int i, int count) {
    if (finished.get()) {
      return;
    }
    if (i >= count) {
      finish(null);
      return;
    }
    WarmupRequests.Request r = plan.get(i % plan.size());
    RequestOptions o =
        new RequestOptions(t)
            .setMethod(HttpMethod.POST)
            .setURI(r.path())
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .putHeader(HttpHeaders.USER_AGENT, "modelship-warmup")
            .putHeader(HEADER, token);
    if (i % plan.size() == plan.size() - 1) {
      // A new connection for each round through the APIs: the server hands connections to its
      // event loops in turn, and a client's first connection may land on any of them.
      o.putHeader(HttpHeaders.CONNECTION, "close");
    }
    client
        .request(o)
        .compose(req -> req.send(Buffer.buffer(r.body())))
        .compose(
            resp ->
                resp.body()
                    .map(b -> resp.statusCode() == 200 ? null : answer(resp.statusCode(), b)))
        .recover(e -> Future.succeededFuture("failed: " + e))
        .onComplete(
            ar -> {
              String problem = ar.result();
              if (problem != null) {
                finish(
                    "warm-up stopped at request "
                        + (i + 1)
                        + " of "
                        + count
                        + " (POST "
                        + r.path()
                        + "): "
                        + problem
                        + "; ready anyway, and the first clients may be answered slowly");
              } else {
                answered = i + 1;
                send(t, plan, i + 1, count);
              }
            });
  }

  /** Warm-up requests answered with 200 so far. */
  int answered() {
    return answered;
  }

  private static String answer(int status, Buffer body) {
    String text = body.toString(StandardCharsets.UTF_8);
    return "answered "
        + status
        + " "
        + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
  }

  private void finish(String problem) {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    vertx.cancelTimer(timer);
    running = false;
    client.close();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    if (problem == null) {
      LOG.infof("warmed up: %d requests in %d ms; ready", config.warmup().requests(), ms);
    } else {
      LOG.warnf("%s (%d ms)", problem, ms);
    }
    service.markWarm();
  }
}
