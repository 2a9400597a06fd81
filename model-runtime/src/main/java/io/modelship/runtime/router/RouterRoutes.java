package io.modelship.runtime.router;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.modelship.runtime.http.ApiKeys;
import io.modelship.runtime.http.RuntimeConfig;
import io.modelship.runtime.router.Answers.Comparison;
import io.modelship.runtime.router.Backend.Endpoint;
import io.modelship.runtime.router.Split.Decision;
import io.modelship.runtime.router.Split.Target;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * Router mode ({@code --mode router}): every prediction and metadata request ({@code /models/*},
 * {@code /v1/*}, {@code /v2/*}) goes to the stable or the candidate revision as {@link Split}
 * decides, over pooled keep-alive connections; a share of the stable's requests is copied to the
 * candidate, compared, and dropped. {@code GET /stats} shows the table and each side's counters;
 * {@code /q/metrics} the same for Prometheus.
 *
 * <p>A request that cannot reach an endpoint (connection refused or reset, the connection closed
 * before an answer) is retried once on another endpoint of the same revision: predictions are
 * idempotent. An upstream that does not answer within the timeout gives the client a 504, an
 * unreachable one a 502, both as JSON with {@code x-modelship-revision} naming who failed.
 */
@ApplicationScoped
public class RouterRoutes {
  private static final Logger LOG = Logger.getLogger(RouterRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REVISION_HEADER = "x-modelship-revision";

  /**
   * Headers of one connection, not of the message (RFC 9110 7.6.1), and Host (set per upstream).
   */
  private static final String[] HOP_BY_HOP_NAMES = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length"
  };

  /** Answers larger than this are relayed but not parsed for labels or comparison. */
  private static final int PARSE_LIMIT = 64 * 1024;

  /** The model APIs the router forwards. */
  private static final String PROXIED_PATHS = "/(models|v1|v2)(/.*)?";

  @Inject RuntimeConfig config;
  @Inject Vertx vertx;
  @Inject MeterRegistry registry;

  private volatile RouterState state;
  private ApiKeys adminTokens;
  private volatile String failure;
  private volatile boolean draining;
  private HttpClient client;
  private volatile HttpServer previewServer;
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicInteger mirrorsInFlight = new AtomicInteger();
  private final LongAdder mirrorDropped = new LongAdder();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<MeterKey, Timer> timers = new ConcurrentHashMap<>();
  private final Map<MeterKey, Counter> requestCounters = new ConcurrentHashMap<>();

  /** A meter's tags; a record, so finding it per request builds no string. */
  private record MeterKey(String side, String revision, String code) {}

  private static final String[] CODES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};

  /** Whether this process runs in router mode. */
  public boolean active() {
    return "router".equals(config.mode());
  }

  void onStart(@Observes StartupEvent event) {
    if (!active()) {
      return;
    }
    var r = config.router();
    try {
      if (r.tableFile().isPresent()) {
        if (r.stable().isPresent() || r.candidate().isPresent() || r.matchHeader().isPresent()) {
          throw new IllegalArgumentException(
              "--table-file replaces --stable, --candidate and --match-header: give one or the other");
        }
        tableFileText = readTableFile(r.tableFile().get());
        state = fromUpdate(parseUpdate(tableFileText.getBytes(StandardCharsets.UTF_8)), null);
      } else {
        state =
            RouterState.of(
                r.stable().orElse(null),
                r.candidate().orElse(null),
                r.stableRevision(),
                r.candidateRevision(),
                r.candidateWeight(),
                r.matchHeader().orElse(null),
                null,
                r.mirrorPercent(),
                null);
      }
      adminTokens = r.adminTokenFile().map(ApiKeys::read).orElse(null);
    } catch (IllegalArgumentException | IllegalStateException e) {
      failure = e.getMessage();
      LOG.error("cannot route: " + failure);
      return;
    }
    r.tableFile().ifPresent(this::watchTableFile);
    client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout(30)
                .setConnectTimeout(2000)
                .setTcpNoDelay(true),
            new PoolOptions().setHttp1MaxSize(64));
    r.previewPort().ifPresent(this::startPreview);
    RouteTable t = state.table();
    LOG.infof(
        "routing: stable %s %s, candidate %s %s, weight %d%%, match %s, mirror %d%%",
        t.stable(),
        state.stable().endpoints(),
        t.candidate() == null ? "none" : t.candidate(),
        state.candidate() == null ? "" : state.candidate().endpoints(),
        t.candidateWeight(),
        t.match().isEmpty() ? "none" : t.match(),
        t.mirrorPercent());
  }

  /**
   * The preview listener: the same proxy on a port of its own, where every request goes to the
   * candidate (the stable revision when there is none). A BlueGreen rollout puts its preview
   * Service in front of it, so what testers send there is counted, and analysed, as the
   * candidate's.
   */
  private void startPreview(int port) {
    Router preview = Router.router(vertx);
    preview.routeWithRegex(PROXIED_PATHS).handler(body()).handler(rc -> proxy(rc, true));
    vertx
        .createHttpServer()
        .requestHandler(preview)
        .listen(port, "0.0.0.0")
        .onSuccess(
            server -> {
              previewServer = server;
              LOG.infof("preview listener on port %d", server.actualPort());
            })
        .onFailure(
            e -> {
              failure = "cannot listen for the preview on port " + port + ": " + e.getMessage();
              LOG.error(failure);
            });
  }

  /** The preview listener's port, or -1 when there is none (yet). */
  public int previewPort() {
    HttpServer s = previewServer;
    return s == null ? -1 : s.actualPort();
  }

  void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
    draining = true;
  }

  /** Why the router cannot start (bad settings), or {@code null}. */
  public String failure() {
    return failure;
  }

  /** Ready while configured, listening (the preview too, when asked) and not shutting down. */
  public boolean ready() {
    return state != null
        && !draining
        && (config.router().previewPort().isEmpty() || previewServer != null);
  }

  /** The current state (for tests and the stats endpoint). */
  public RouterState state() {
    return state;
  }

  void routes(@Observes Router router) {
    if (!active()) {
      return;
    }
    router.get("/stats").handler(this::stats);
    router
        .put("/router/table")
        .handler(BodyHandler.create(false).setBodyLimit(64 * 1024).setHandleFileUploads(false))
        .handler(this::updateTable);
    router.routeWithRegex(PROXIED_PATHS).handler(body()).handler(rc -> proxy(rc, false));
  }

  private BodyHandler body() {
    return BodyHandler.create(false)
        .setBodyLimit(config.maxBodyBytes())
        .setHandleFileUploads(false)
        .setDeleteUploadedFilesOnEnd(true);
  }

  private void stats(RoutingContext rc) {
    RouterState s = state;
    byte[] out;
    try {
      out =
          JSON.writerWithDefaultPrettyPrinter()
              .writeValueAsBytes(
                  s == null
                      ? Map.of("error", String.valueOf(failure))
                      : s.describe(mirrorDropped.sum()));
    } catch (JsonProcessingException e) {
      rc.fail(e);
      return;
    }
    rc.response()
        .setStatusCode(s == null ? 503 : 200)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(Buffer.buffer(out));
  }

  /**
   * The whole route table, as the flags give it; fields left out are unset (no candidate, weight 0,
   * no match, no mirror), so the same body always gives the same table.
   */
  record TableUpdate(
      String stable,
      String stableRevision,
      String candidate,
      String candidateRevision,
      Integer candidateWeight,
      String matchHeader,
      List<Rule> match,
      Integer mirrorPercent,
      Long version) {}

  /** One A/B rule of a table update: every header must match. */
  record Rule(Map<String, String> headers) {}

  /**
   * {@code PUT /router/table}: swaps the route table at once (the next request uses it); counters
   * of a revision that stays are kept. Needs a token of {@code --admin-token-file}.
   */
  private void updateTable(RoutingContext rc) {
    if (adminTokens == null) {
      error(
          rc,
          404,
          "the route table is fixed: start the router with --admin-token-file to change it",
          null);
      return;
    }
    String auth = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"modelship-router\"");
      error(
          rc,
          401,
          "send \"Authorization: Bearer <token>\" with a token of the admin token file",
          null);
      return;
    }
    if (!adminTokens.accepts(auth.substring(7).strip())) {
      error(rc, 401, "the token is not valid", null);
      return;
    }
    TableUpdate u;
    try {
      u = parseUpdate(rc.body().buffer() == null ? new byte[0] : rc.body().buffer().getBytes());
    } catch (IllegalArgumentException e) {
      error(rc, 400, e.getMessage(), null);
      return;
    }
    try {
      RouterState next = fromUpdate(u, state);
      if (!apply(next, "PUT /router/table")) {
        error(
            rc,
            409,
            "table version "
                + next.version()
                + " is older than version "
                + state.version()
                + " in force; send the current table",
            null);
        return;
      }
    } catch (IllegalStateException e) {
      error(rc, 422, e.getMessage(), null);
      return;
    }
    stats(rc);
  }

  /**
   * Reads a route table's JSON.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  static TableUpdate parseUpdate(byte[] json) {
    TableUpdate u;
    try {
      u =
          JSON.reader()
              .with(
                  com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .readValue(json, TableUpdate.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the body is not a route table: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("the body is not a route table: " + e.getMessage());
    }
    if (u == null) {
      throw new IllegalArgumentException("the body is empty; send the whole route table as JSON");
    }
    return u;
  }

  /**
   * The state a table asks for, keeping the counters of revisions that stay.
   *
   * @throws IllegalStateException listing every problem, when the table is not usable
   */
  private RouterState fromUpdate(TableUpdate u, RouterState previous) {
    try {
      return RouterState.of(
              u.stable(),
              u.candidate(),
              u.stableRevision() == null ? config.router().stableRevision() : u.stableRevision(),
              u.candidateRevision() == null
                  ? config.router().candidateRevision()
                  : u.candidateRevision(),
              u.candidateWeight() == null ? 0 : u.candidateWeight(),
              u.matchHeader(),
              u.match() == null ? null : u.match().stream().map(Rule::headers).toList(),
              u.mirrorPercent() == null ? 0 : u.mirrorPercent(),
              previous)
          .withVersion(u.version() == null ? 0 : u.version());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage().replace("--", ""));
    }
  }

  /**
   * Puts a table in force, unless it is older than the one in force: the table file can lag behind
   * a {@code PUT} by a minute (the kubelet refreshes mounted ConfigMaps on its own clock), and must
   * not undo it. A table without a version (0) always applies.
   *
   * @return false when refused as older
   */
  private synchronized boolean apply(RouterState next, String source) {
    RouterState current = state;
    if (current != null && next.version() != 0 && next.version() < current.version()) {
      LOG.infof(
          "ignoring the table of %s: version %d is older than version %d in force",
          source, next.version(), current.version());
      return false;
    }
    if (next.version() == 0 && current != null) {
      next = next.withVersion(current.version());
    }
    state = next;
    RouteTable t = next.table();
    LOG.infof(
        "route table changed (%s, version %d): stable %s %s, candidate %s %s, weight %d%%, match"
            + " %s, mirror %d%%",
        source,
        next.version(),
        t.stable(),
        next.stable().endpoints(),
        t.candidate(),
        next.candidate() == null ? "" : next.candidate().endpoints(),
        t.candidateWeight(),
        t.match(),
        t.mirrorPercent());
    return true;
  }

  /** The table file's text as last applied (or refused), to apply only what changed. */
  private volatile String tableFileText;

  private static String readTableFile(java.nio.file.Path file) {
    try {
      return java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          "--table-file: cannot read " + file + ": " + e.getMessage());
    }
  }

  /**
   * Re-reads the table file every 2 s (a mounted ConfigMap changes by a symlink swap, which no file
   * watch sees reliably) and applies it when its text changed. A broken table is logged once and
   * the table in force is kept.
   */
  private void watchTableFile(java.nio.file.Path file) {
    vertx.setPeriodic(
        2000,
        id ->
            vertx.executeBlocking(
                () -> {
                  reloadTableFile(file);
                  return null;
                },
                false));
  }

  private void reloadTableFile(java.nio.file.Path file) {
    String text;
    try {
      text = java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return; // between the swap's unlink and link, or gone: the table in force stays
    }
    if (text.equals(tableFileText)) {
      return;
    }
    tableFileText = text;
    try {
      apply(fromUpdate(parseUpdate(text.getBytes(StandardCharsets.UTF_8)), state), file.toString());
    } catch (IllegalArgumentException | IllegalStateException e) {
      LOG.errorf("ignoring the changed table in %s: %s", file, e.getMessage());
    }
  }

  /** An upstream's answer, read whole. */
  record Answer(int status, MultiMap headers, Buffer body) {}

  /**
   * @param preview a request to the preview listener: the candidate answers it (the stable revision
   *     when there is none), and it is never mirrored
   */
  private void proxy(RoutingContext rc, boolean preview) {
    RouterState s = state;
    if (s == null) {
      error(rc, 503, "the router is not configured: " + failure, null);
      return;
    }
    long start = System.nanoTime();
    HttpServerRequest req = rc.request();
    Decision d =
        preview
            ? (s.candidate() == null ? Split.STABLE : Split.CANDIDATE)
            : Split.decide(s.table(), req::getHeader, sequence.getAndIncrement());
    boolean candidate = d.target() == Target.CANDIDATE;
    Backend backend = candidate ? s.candidate() : s.stable();
    RevisionCounters side = candidate ? s.candidateCounters() : s.stableCounters();
    String sideName = candidate ? "candidate" : "stable";
    Outgoing out = Outgoing.of(req, rc.body().buffer());
    Promise<Answer> primary = Promise.promise();
    send(out, backend, backend.pick(), true, primary);
    if (d.mirror()) {
      mirror(out, s, primary.future());
    }
    primary
        .future()
        .onComplete(
            ar -> {
              long nanos = System.nanoTime() - start;
              if (ar.succeeded()) {
                Answer a = ar.result();
                // Labels feed the drift comparison of a rollout; with no candidate there is
                // nothing to compare, and the parse is most of the router's own cost.
                side.answered(a.status(), nanos, s.candidate() == null ? null : decisions(a));
                record(sideName, side.revision(), a.status(), nanos);
                relay(rc, a, side.revision());
              } else {
                side.answered(0, nanos, null);
                record(sideName, side.revision(), 0, nanos);
                boolean timeout = ar.cause() instanceof TimeoutException;
                error(
                    rc,
                    timeout ? 504 : 502,
                    (timeout ? "the " : "could not reach the ")
                        + sideName
                        + " revision "
                        + side.revision()
                        + (timeout
                            ? " did not answer within "
                                + config.router().upstreamTimeout().toMillis()
                                + " ms"
                            : ": " + ar.cause().getMessage()),
                    side.revision());
              }
            });
  }

  /** Copies the request to the candidate unless too many copies are in flight; never waits. */
  private void mirror(Outgoing out, RouterState s, Future<Answer> stableAnswer) {
    if (mirrorsInFlight.incrementAndGet() > config.router().mirrorMaxInFlight()) {
      mirrorsInFlight.decrementAndGet();
      mirrorDropped.increment();
      counter("modelship_router_mirror_dropped_total", "", "").increment();
      return;
    }
    long start = System.nanoTime();
    Promise<Answer> copy = Promise.promise();
    send(out, s.candidate(), s.candidate().pick(), false, copy);
    RevisionCounters c = s.candidateCounters();
    copy.future()
        .onComplete(
            ar -> {
              mirrorsInFlight.decrementAndGet();
              long nanos = System.nanoTime() - start;
              List<Object> mine = ar.succeeded() ? decisions(ar.result()) : null;
              int status = ar.succeeded() ? ar.result().status() : 0;
              c.answered(status, nanos, mine);
              record("mirror", c.revision(), status, nanos);
              stableAnswer.onComplete(
                  st -> {
                    Comparison cmp =
                        st.succeeded() && ar.succeeded()
                            ? Answers.compare(
                                decisions(st.result()), mine, config.router().compareTolerance())
                            : Comparison.INCOMPARABLE;
                    c.mirrored(cmp);
                    counter("modelship_router_mirror_total", "result", cmp.name().toLowerCase())
                        .increment();
                  });
            });
  }

  /** Whether a header is hop-by-hop (not forwarded); no allocation, as it runs for every header. */
  static boolean hopByHop(String name) {
    for (String h : HOP_BY_HOP_NAMES) {
      if (h.length() == name.length() && h.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** What is sent upstream: the client's method, path, headers (less hop-by-hop) and body. */
  record Outgoing(HttpMethod method, String uri, MultiMap headers, Buffer body) {
    static Outgoing of(HttpServerRequest req, Buffer body) {
      MultiMap h = MultiMap.caseInsensitiveMultiMap();
      req.headers()
          .forEach(
              e -> {
                if (!hopByHop(e.getKey())) {
                  h.add(e.getKey(), e.getValue());
                }
              });
      return new Outgoing(req.method(), req.uri(), h, body == null ? Buffer.buffer() : body);
    }
  }

  private void send(
      Outgoing out, Backend backend, Endpoint endpoint, boolean retry, Promise<Answer> result) {
    RequestOptions o =
        new RequestOptions()
            .setMethod(out.method())
            .setHost(endpoint.host())
            .setPort(endpoint.port())
            .setURI(out.uri())
            .setHeaders(out.headers())
            .setIdleTimeout(config.router().upstreamTimeout().toMillis());
    client
        .request(o)
        .compose(r -> r.send(out.body()))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.headers(), b)))
        .onComplete(
            (AsyncResult<Answer> ar) -> {
              if (ar.failed() && retry && unreachable(ar.cause())) {
                send(out, backend, backend.other(endpoint), false, result);
              } else {
                result.handle(ar);
              }
            });
  }

  /** A failure before any answer, so the request can go elsewhere. */
  private static boolean unreachable(Throwable t) {
    return t instanceof ConnectException
        || t instanceof HttpClosedException
        || t instanceof io.netty.channel.ConnectTimeoutException
        || (t instanceof java.io.IOException && !(t instanceof java.io.FileNotFoundException));
  }

  private static void relay(RoutingContext rc, Answer a, String revision) {
    var response = rc.response().setStatusCode(a.status());
    a.headers()
        .forEach(
            e -> {
              if (!hopByHop(e.getKey())) {
                response.headers().add(e.getKey(), e.getValue());
              }
            });
    if (!response.headers().contains(REVISION_HEADER)) {
      response.putHeader(REVISION_HEADER, revision);
    }
    response.end(a.body());
  }

  private static void error(RoutingContext rc, int status, String message, String revision) {
    Map<String, Object> body = Map.of("error", message, "status", status);
    byte[] out;
    try {
      out = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      out = ("{\"status\":" + status + "}").getBytes();
    }
    var response =
        rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (revision != null) {
      response.putHeader(REVISION_HEADER, revision);
    }
    if (status == 503) {
      response.putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    response.end(Buffer.buffer(out));
  }

  private static List<Object> decisions(Answer a) {
    if (a.status() != 200 || a.body().length() > PARSE_LIMIT) {
      return null;
    }
    return Answers.decisions(a.body().getBytes());
  }

  private static final Duration[] BUCKETS = {
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5)
  };

  /**
   * {@code modelship_router_requests_total{side,revision,code}} (code: 2xx, 4xx, 5xx, or error when
   * no answer came) and {@code modelship_router_request_duration_seconds{side,revision}}; side is
   * stable, candidate, or mirror (copies answered by the candidate).
   */
  private void record(String side, String revision, int status, long nanos) {
    String code = status == 0 ? "error" : CODES[Math.min(status / 100, 5)];
    requestCounters
        .computeIfAbsent(
            new MeterKey(side, revision, code),
            k ->
                Counter.builder("modelship_router_requests_total")
                    .description("Requests the router relayed, by side, revision and status class")
                    .tags("side", side, "revision", revision, "code", code)
                    .register(registry))
        .increment();
    timers
        .computeIfAbsent(
            new MeterKey(side, revision, ""),
            k ->
                Timer.builder("modelship_router_request_duration_seconds")
                    .description(
                        "Time from the router's receipt of a request to the upstream's answer")
                    .tags("side", side, "revision", revision)
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry))
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  private Counter counter(String name, String tag, String value) {
    return counters.computeIfAbsent(
        name + '\0' + tag + '\0' + value,
        k ->
            tag.isEmpty()
                ? Counter.builder(name).register(registry)
                : Counter.builder(name).tags(tag, value).register(registry));
  }
}
