package io.modelship.runtime.http;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import io.modelship.runtime.api.ApiException;
import io.modelship.runtime.api.RequestReader;
import io.modelship.runtime.api.ResponseWriter;
import io.modelship.runtime.batch.BatchFailedException;
import io.modelship.runtime.batch.BatchPolicy;
import io.modelship.runtime.batch.Batcher;
import io.modelship.runtime.http.ModelService.Loaded;
import io.modelship.runtime.model.FeatureBatch;
import io.modelship.runtime.model.Prediction;
import io.modelship.runtime.model.ServedModel;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The HTTP surface of serve mode, on plain Vert.x routes: a prediction is tens of microseconds of
 * work, so requests are answered on the event loop, and only large bodies move to a worker thread.
 * With batching on, requests are still read and validated on the event loop, and their model calls
 * are gathered into batches that run on a worker thread ({@link Batcher}).
 */
@ApplicationScoped
public class PredictRoutes {
  private static final Logger LOG = Logger.getLogger(PredictRoutes.class);

  static final CharSequence MODEL_HEADER = HttpHeaders.createOptimized("x-modelship-model");
  static final CharSequence REVISION_HEADER = HttpHeaders.createOptimized("x-modelship-revision");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final String STARTED = "modelship.started";
  private static final byte[] READY = "{\"ready\":true}".getBytes();
  private static final byte[] NOT_READY = "{\"ready\":false}".getBytes();
  private static final byte[] LIVE = "{\"live\":true}".getBytes();

  @Inject ModelService service;
  @Inject RuntimeConfig config;
  @Inject RuntimeMetrics metrics;
  @Inject BodyBudget bodies;
  @Inject Warmup warmup;

  /** Large requests waiting for or running on a worker thread (bounded by max-queued). */
  private final java.util.concurrent.atomic.AtomicInteger queued =
      new java.util.concurrent.atomic.AtomicInteger();

  /** With batching on: one batcher per event loop, made on first use on that loop's thread. */
  private final ThreadLocal<Batcher> batchers = ThreadLocal.withInitial(this::newBatcher);

  /** Places for requests waiting for a batch, shared by all event loops' batchers. */
  private final AtomicReference<Semaphore> batchRoom = new AtomicReference<>();

  /** Every response says which model and revision answered; the traffic router relies on it. */
  void identify(@Observes Filters filters) {
    if (!serving()) {
      return;
    }
    filters.register(
        rc -> {
          Loaded l = service.loaded();
          if (l != null) {
            MultiMap h = rc.response().headers();
            h.add(MODEL_HEADER, l.model().name());
            h.add(REVISION_HEADER, l.model().revision());
          }
          rc.next();
        },
        100);
  }

  private boolean serving() {
    return "serve".equals(config.mode());
  }

  void routes(@Observes Router router) {
    if (!serving()) {
      return;
    }
    BodyHandler body =
        BodyHandler.create(false)
            .setBodyLimit(config.maxBodyBytes())
            .setHandleFileUploads(false)
            .setDeleteUploadedFilesOnEnd(true);

    predictRoute(router.post("/models/:name/predict"), Endpoint.PREDICT, body);
    predictRoute(
        // Some clients percent-encode the colon of KServe's custom method.
        router.postWithRegex("/v1/models/(?<name>[^/:%]+)(?::|%3[aA])predict"),
        Endpoint.V1_PREDICT,
        body);
    predictRoute(router.post("/v2/models/:name/infer"), Endpoint.V2_INFER, body);
    predictRoute(router.post("/v2/models/:name/versions/:version/infer"), Endpoint.V2_INFER, body);

    for (String path : List.of("/v2/models/:name", "/v2/models/:name/versions/:version")) {
      router
          .get(path)
          .handler(rc -> guard(rc, Endpoint.V2_METADATA, RoutingContext::next))
          .handler(rc -> reply(rc, Endpoint.V2_METADATA, 200, loaded(rc).writer().metadata()));
    }
    for (String path :
        List.of("/v2/models/:name/ready", "/v2/models/:name/versions/:version/ready")) {
      router.get(path).handler(this::modelReady);
    }
    router.get("/v2/health/live").handler(rc -> raw(rc, 200, LIVE));
    router
        .get("/v2/health/ready")
        .handler(rc -> raw(rc, service.ready() ? 200 : 503, service.ready() ? READY : NOT_READY));
    router.get("/v2").handler(this::serverMetadata);
    router.route().last().handler(this::notFound);
  }

  private void predictRoute(Route route, Endpoint endpoint, BodyHandler body) {
    // The guard runs before the body is read, so a refused request costs no buffering.
    route
        .handler(rc -> guard(rc, endpoint, body))
        .handler(rc -> predict(rc, endpoint))
        .failureHandler(rc -> failed(rc, endpoint));
  }

  /**
   * Everything that can be refused before reading the body: loading, auth, model name, media type
   * and declared size.
   */
  private void guard(RoutingContext rc, Endpoint endpoint, Handler<RoutingContext> then) {
    boolean warmingUp = warmup.sent(rc.request());
    if (!warmingUp) {
      // Without a start time, reply() records nothing: the warm-up stays out of the metrics.
      rc.put(STARTED, System.nanoTime());
    }
    Loaded l = service.loaded();
    try {
      if (l == null) {
        rc.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
        throw new ApiException(
            503,
            service.failure() == null
                ? "model is loading; retry shortly"
                : "model failed to load: " + service.failure());
      }
      if (!warmingUp) {
        authorize(rc, l); // the warm-up has no key; its header is a secret of this process
      }
      String name = rc.pathParam("name");
      if (!l.model().name().equals(name)) {
        throw new ApiException(
            404,
            "model \"" + name + "\" not found; this runtime serves \"" + l.model().name() + "\"");
      }
      String version = rc.pathParam("version");
      if (version != null && !version.equals(l.model().version())) {
        throw new ApiException(
            404,
            "version \""
                + version
                + "\" of model \""
                + name
                + "\" not found; this runtime serves version \""
                + l.model().version()
                + "\"");
      }
      if (endpoint != Endpoint.V2_METADATA) {
        checkMediaType(rc);
        checkDeclaredLength(rc);
        holdBody(rc);
      }
      then.handle(rc);
    } catch (ApiException e) {
      refuse(rc, endpoint, e);
    }
  }

  private void authorize(RoutingContext rc, Loaded l) {
    if (l.apiKeys() == null) {
      return;
    }
    String key = rc.request().getHeader("x-api-key");
    String auth = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (key == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      key = auth.substring(7).strip();
    }
    if (key == null) {
      rc.response().putHeader("WWW-Authenticate", "Bearer realm=\"modelship\"");
      throw new ApiException(
          401,
          "authentication required: send \"Authorization: Bearer <key>\" or \"x-api-key: <key>\"");
    }
    if (!l.apiKeys().accepts(key)) {
      rc.response()
          .putHeader("WWW-Authenticate", "Bearer realm=\"modelship\", error=\"invalid_token\"");
      throw new ApiException(401, "the API key is not valid");
    }
  }

  private static void checkMediaType(RoutingContext rc) {
    String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null) {
      return; // clients that send none get JSON parsing and its clear errors
    }
    int semi = type.indexOf(';');
    String media = (semi < 0 ? type : type.substring(0, semi)).strip().toLowerCase();
    if (!media.equals("application/json") && !media.endsWith("+json")) {
      String hint =
          media.equals("application/x-www-form-urlencoded")
              ? "; with curl -d, add -H 'Content-Type: application/json'"
              : "";
      throw ApiException.field(
          415, "Content-Type", "must be application/json (got " + media + ")" + hint);
    }
  }

  private void checkDeclaredLength(RoutingContext rc) {
    String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return; // chunked bodies are cut off by the body handler at the same limit
    }
    try {
      if (Long.parseLong(length.strip()) > config.maxBodyBytes()) {
        throw tooLarge();
      }
    } catch (NumberFormatException e) {
      throw ApiException.field(400, "Content-Length", "not a number");
    }
  }

  /** Counts the body against {@link BodyBudget} from now until the answer is sent. */
  private void holdBody(RoutingContext rc) {
    long bytes =
        BodyBudget.claim(rc.request().getHeader(HttpHeaders.CONTENT_LENGTH), config.maxBodyBytes());
    if (!bodies.tryHold(bytes)) {
      rc.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      throw new ApiException(
          503,
          "overloaded: requests already hold "
              + bodies.held()
              + " bytes of bodies being read or predicted, of "
              + bodies.capacity()
              + " allowed; retry shortly");
    }
    rc.addEndHandler(done -> bodies.release(bytes));
  }

  private ApiException tooLarge() {
    return new ApiException(
        413,
        "request body is larger than the limit of "
            + config.maxBodyBytes()
            + " bytes; split the batch or raise --max-body-bytes");
  }

  private void predict(RoutingContext rc, Endpoint endpoint) {
    Loaded l = loaded(rc);
    Buffer buffer = rc.body().buffer();
    byte[] bytes = buffer == null ? new byte[0] : buffer.getBytes();
    if (bytes.length <= config.inlineBodyBytes()) {
      if (l.batching() != null && endpoint != Endpoint.V2_INFER) {
        batched(rc, endpoint, l, bytes);
      } else {
        answer(rc, endpoint, l, bytes);
      }
      return;
    }
    if (queued.incrementAndGet() > config.maxQueued()) {
      queued.decrementAndGet();
      rc.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      refuse(
          rc,
          endpoint,
          new ApiException(
              503,
              "overloaded: "
                  + config.maxQueued()
                  + " large requests are already waiting for a worker thread; retry shortly"));
      return;
    }
    rc.vertx()
        .executeBlocking(() -> compute(endpoint, l, bytes), false)
        .onComplete(
            r -> {
              queued.decrementAndGet();
              if (r.succeeded()) {
                reply(rc, endpoint, 200, r.result());
              } else if (r.cause() instanceof ApiException e) {
                refuse(rc, endpoint, e);
              } else {
                internalError(rc, endpoint, r.cause());
              }
            });
  }

  private void answer(RoutingContext rc, Endpoint endpoint, Loaded l, byte[] bytes) {
    byte[] out;
    try {
      out = compute(endpoint, l, bytes);
    } catch (ApiException e) {
      refuse(rc, endpoint, e);
      return;
    } catch (Exception e) {
      internalError(rc, endpoint, e);
      return;
    }
    reply(rc, endpoint, 200, out);
  }

  /**
   * A request that is parsed and validated here, on the event loop, and whose model call joins a
   * batch on a worker thread; answers are written back here. Bad input is refused at once, as
   * without batching.
   */
  private void batched(RoutingContext rc, Endpoint endpoint, Loaded l, byte[] bytes) {
    JsonNode root;
    FeatureBatch rows;
    Future<Prediction> prediction;
    try {
      root = l.reader().parse(bytes);
      rows = features(endpoint, l.reader(), root);
      if (rows.rows() > l.batching().maxBatchSize()) {
        // A request larger than a batch is a batch of its own already: run it here, as always.
        reply(rc, endpoint, 200, written(endpoint, l.writer(), root, l.model().predict(rows)));
        return;
      }
      // The warm-up's requests are batched like any other, but not counted (see guard()).
      prediction = batchers.get().submit(rows, measured(rc));
    } catch (ApiException e) {
      if (e.status() == 503) {
        rc.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      }
      refuse(rc, endpoint, e);
      return;
    } catch (Exception e) {
      internalError(rc, endpoint, e);
      return;
    }
    prediction.onComplete(
        r -> {
          if (rc.response().closed()) {
            return; // the client left while its batch ran
          }
          if (r.failed()) {
            if (r.cause() instanceof BatchFailedException e) {
              refuse(rc, endpoint, new ApiException(500, e.getMessage()));
            } else {
              internalError(rc, endpoint, r.cause());
            }
            return;
          }
          byte[] out;
          try {
            out = written(endpoint, l.writer(), root, r.result());
          } catch (RuntimeException e) {
            internalError(rc, endpoint, e);
            return;
          }
          reply(rc, endpoint, 200, out);
        });
  }

  private Batcher newBatcher() {
    Loaded l = service.loaded();
    BatchPolicy policy = l.batching();
    int limit = policy.waitingLimit(config.maxQueued());
    batchRoom.compareAndSet(null, new Semaphore(limit));
    ServedModel model = l.model();
    return new Batcher(
        VertxContext.getRootContext(Vertx.currentContext()),
        policy,
        requests -> runBatch(model, requests),
        batchRoom.get(),
        limit,
        rows -> metrics.batch(model.name(), rows));
  }

  /** One model call for all rows of a batch; each request gets its own rows of the answer. */
  private static List<Prediction> runBatch(ServedModel model, List<FeatureBatch> requests)
      throws OrtException {
    int[] sizes = new int[requests.size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = requests.get(i).rows();
    }
    return model.predict(FeatureBatch.concat(requests)).split(sizes);
  }

  private static FeatureBatch features(Endpoint endpoint, RequestReader reader, JsonNode root) {
    return endpoint == Endpoint.V1_PREDICT ? reader.kserveV1(root) : reader.readable(root);
  }

  private static byte[] written(
      Endpoint endpoint, ResponseWriter writer, JsonNode root, Prediction p) {
    return endpoint == Endpoint.V1_PREDICT
        ? writer.kserveV1(p)
        : writer.readable(p, root.isArray());
  }

  private static byte[] compute(Endpoint endpoint, Loaded l, byte[] bytes) throws OrtException {
    RequestReader reader = l.reader();
    ResponseWriter writer = l.writer();
    JsonNode root = reader.parse(bytes);
    return switch (endpoint) {
      case PREDICT, V1_PREDICT ->
          written(endpoint, writer, root, l.model().predict(features(endpoint, reader, root)));
      case V2_INFER -> {
        RequestReader.V2Request req = reader.v2(root);
        yield writer.v2(
            req.id(),
            req.features() != null
                ? l.model().infer(req.features(), req.outputs())
                : l.model().infer(req.inputs(), req.outputs()));
      }
      case V2_METADATA -> writer.metadata();
    };
  }

  private void failed(RoutingContext rc, Endpoint endpoint) {
    if (rc.failure() instanceof HttpClosedException) {
      return; // the client went away, or was cut off for sending too slowly: no one to answer
    }
    if (rc.statusCode() == 413) {
      refuse(rc, endpoint, tooLarge());
    } else if (rc.failure() instanceof ApiException e) {
      refuse(rc, endpoint, e);
    } else if (rc.statusCode() >= 400 && rc.statusCode() < 500) {
      refuse(rc, endpoint, new ApiException(rc.statusCode(), "request refused"));
    } else {
      internalError(rc, endpoint, rc.failure());
    }
  }

  private void internalError(RoutingContext rc, Endpoint endpoint, Throwable cause) {
    LOG.error("prediction failed on " + rc.request().path(), cause);
    refuse(
        rc,
        endpoint,
        new ApiException(500, "the model failed on this request; see the server log"));
  }

  private void refuse(RoutingContext rc, Endpoint endpoint, ApiException e) {
    reply(
        rc, endpoint, e.status(), ResponseWriter.error(e.status(), e.getMessage(), e.violations()));
  }

  private void reply(RoutingContext rc, Endpoint endpoint, int status, byte[] body) {
    if (rc.response().ended()) {
      return;
    }
    raw(rc, status, body);
    Loaded l = service.loaded();
    Long started = rc.get(STARTED);
    if (l != null && started != null) {
      metrics.record(l.model().name(), endpoint, status, System.nanoTime() - started);
    }
  }

  /** False for the runtime's own warm-up requests, to which guard() gives no start time. */
  private static boolean measured(RoutingContext rc) {
    return rc.get(STARTED) != null;
  }

  private static void raw(RoutingContext rc, int status, byte[] body) {
    rc.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(Buffer.buffer(body));
  }

  private Loaded loaded(RoutingContext rc) {
    return service.loaded();
  }

  private void modelReady(RoutingContext rc) {
    Loaded l = service.loaded();
    String name = rc.pathParam("name");
    String version = rc.pathParam("version");
    if (l != null
        && (!l.model().name().equals(name)
            || (version != null && !version.equals(l.model().version())))) {
      raw(rc, 404, ResponseWriter.error(404, "model \"" + name + "\" not found", List.of()));
      return;
    }
    raw(rc, service.ready() ? 200 : 503, service.ready() ? READY : NOT_READY);
  }

  private void serverMetadata(RoutingContext rc) {
    String version = getClass().getPackage().getImplementationVersion();
    raw(
        rc,
        200,
        ("{\"name\":\"modelship\",\"version\":\""
                + (version == null ? "dev" : version)
                + "\",\"extensions\":[]}")
            .getBytes());
  }

  private void notFound(RoutingContext rc) {
    raw(
        rc,
        404,
        ResponseWriter.error(
            404,
            "no endpoint "
                + rc.request().method()
                + " "
                + rc.request().path()
                + "; see /q/swagger-ui for the API",
            List.of()));
  }
}
