package io.modelship.operator.dashboard;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.RolloutAction;
import io.modelship.operator.reconciler.SetWeightRequest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The web dashboard (docs/dashboard.md): a few static files and a small JSON API under {@code
 * /dashboard}, registered only when {@code modelship.dashboard.enabled} is true.
 *
 * <p>Every API server request made here carries the token of the user who asked, and only that: a
 * client is built for the request from {@link UserConfig} and closed after it. The operator's own
 * client, credentials and informer caches are never used to answer a user, and nothing is kept
 * between requests.
 */
@ApplicationScoped
public class DashboardRoutes {
  private static final Logger LOG = Logger.getLogger(DashboardRoutes.class);
  static final String BASE = "/dashboard";
  private static final ResourceDefinitionContext MODEL_DEPLOYMENTS =
      new ResourceDefinitionContext.Builder()
          .withGroup(ModelDeployment.GROUP)
          .withVersion(ModelDeployment.VERSION)
          .withKind("ModelDeployment")
          .withPlural("modeldeployments")
          .withNamespaced(true)
          .build();
  private static final int MAX_EVENTS = 20;

  // name -> content type; read once from the classpath (not META-INF/resources, which Quarkus
  // would serve whether or not the dashboard is on).
  private static final Map<String, String> FILES =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "dashboard.js", "text/javascript; charset=utf-8",
          "dashboard.css", "text/css; charset=utf-8");
  // The page loads its own script and style only, and is never framed.
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

  private final boolean enabled;
  private final KubernetesClient operatorClient;
  private final Vertx vertx;

  DashboardRoutes(DashboardConfig config, KubernetesClient operatorClient, Vertx vertx) {
    this.enabled = config.enabled();
    this.operatorClient = operatorClient;
    this.vertx = vertx;
  }

  void register(@Observes Router router) {
    if (!enabled) {
      return;
    }
    LOG.info("web dashboard on at " + BASE + "/ (every request uses its user's token)");
    // Vert.x matches /dashboard/ here too (a trailing slash is ignored); only the bare path moves.
    router
        .get(BASE)
        .handler(
            ctx -> {
              if (ctx.request().path().equals(BASE)) {
                ctx.redirect(BASE + "/");
              } else {
                ctx.next();
              }
            });
    Map<String, byte[]> files = new java.util.HashMap<>();
    FILES.keySet().forEach(name -> files.put(name, read("dashboard/" + name)));
    router
        .get(BASE + "/")
        .handler(ctx -> serve(ctx, files.get("index.html"), FILES.get("index.html")));
    for (String name : List.of("dashboard.js", "dashboard.css")) {
      router.get(BASE + "/" + name).handler(ctx -> serve(ctx, files.get(name), FILES.get(name)));
    }
    router.get(BASE + "/api/namespaces").blockingHandler(this::namespaces, false);
    router
        .get(BASE + "/api/namespaces/:ns/modeldeployments")
        .blockingHandler(this::modelDeployments, false);
    router
        .get(BASE + "/api/namespaces/:ns/modeldeployments/:name")
        .blockingHandler(this::modelDeployment, false);
    router
        .post(BASE + "/api/namespaces/:ns/modeldeployments/:name/actions/:action")
        .blockingHandler(this::act, false);
    router
        .post(BASE + "/api/namespaces/:ns/modeldeployments/:name/set-weight/:percent")
        .blockingHandler(this::setWeight, false);
    router.route(BASE + "/api/*").handler(ctx -> error(ctx, 404, "no such dashboard API path"));
  }

  private void namespaces(RoutingContext ctx) {
    withUserClient(
        ctx,
        "list",
        "namespaces",
        null,
        client -> {
          JsonArray names = new JsonArray();
          client.namespaces().list().getItems().stream()
              .map(Namespace::getMetadata)
              .map(m -> m.getName())
              .sorted()
              .forEach(names::add);
          return new JsonObject().put("items", names);
        });
  }

  private void modelDeployments(RoutingContext ctx) {
    String ns = ctx.pathParam("ns");
    if (!Names.isNamespace(ns)) {
      error(ctx, 400, "not a namespace name: " + ns);
      return;
    }
    withUserClient(
        ctx,
        "list",
        "modeldeployments",
        ns,
        client -> {
          JsonArray items = new JsonArray();
          client
              .genericKubernetesResources(MODEL_DEPLOYMENTS)
              .inNamespace(ns)
              .list()
              .getItems()
              .stream()
              .sorted(Comparator.comparing(r -> r.getMetadata().getName()))
              .forEach(r -> items.add(json(client, r)));
          return new JsonObject().put("items", items);
        });
  }

  private void modelDeployment(RoutingContext ctx) {
    String ns = ctx.pathParam("ns");
    String name = ctx.pathParam("name");
    if (refusedNames(ctx, ns, name)) {
      return;
    }
    withUserClient(
        ctx,
        "get",
        "modeldeployments",
        ns,
        client -> {
          GenericKubernetesResource md =
              client
                  .genericKubernetesResources(MODEL_DEPLOYMENTS)
                  .inNamespace(ns)
                  .withName(name)
                  .get();
          if (md == null) {
            throw new KubernetesClientException(
                "modeldeployment " + name + " does not exist", 404, null);
          }
          JsonObject answer = new JsonObject().put("object", json(client, md));
          // Events are a separate permission: without it the page still shows the object.
          try {
            answer.put("events", events(client, ns, name, md.getMetadata().getUid()));
          } catch (KubernetesClientException e) {
            answer.put(
                "eventsError", ApiError.of(e.getCode(), "list", "events", ns, null).message());
          }
          return answer;
        });
  }

  private JsonArray events(KubernetesClient client, String ns, String name, String uid) {
    JsonArray events = new JsonArray();
    client
        .v1()
        .events()
        .inNamespace(ns)
        .withField("involvedObject.name", name)
        .withField("involvedObject.kind", "ModelDeployment")
        .list()
        .getItems()
        .stream()
        // An earlier object of the same name left its events behind.
        .filter(
            e ->
                uid == null
                    || e.getInvolvedObject().getUid() == null
                    || uid.equals(e.getInvolvedObject().getUid()))
        .sorted(Comparator.comparing(DashboardRoutes::lastSeen).reversed())
        .limit(MAX_EVENTS)
        .forEach(
            e ->
                events.add(
                    new JsonObject()
                        .put("type", e.getType())
                        .put("reason", e.getReason())
                        .put("message", e.getMessage())
                        .put("count", e.getCount())
                        .put("lastSeen", lastSeen(e))));
    return events;
  }

  /** The time an event was last seen, as RFC 3339 text (sorts in time order). */
  static String lastSeen(Event e) {
    if (e.getSeries() != null && e.getSeries().getLastObservedTime() != null) {
      return e.getSeries().getLastObservedTime().getTime();
    }
    if (e.getLastTimestamp() != null) {
      return e.getLastTimestamp();
    }
    if (e.getEventTime() != null && e.getEventTime().getTime() != null) {
      return e.getEventTime().getTime();
    }
    return e.getMetadata() == null || e.getMetadata().getCreationTimestamp() == null
        ? ""
        : e.getMetadata().getCreationTimestamp();
  }

  private void act(RoutingContext ctx) {
    String ns = ctx.pathParam("ns");
    String name = ctx.pathParam("name");
    if (refusedNames(ctx, ns, name)) {
      return;
    }
    Optional<RolloutAction> action = RolloutAction.parse(ctx.pathParam("action"));
    if (action.isEmpty()) {
      error(
          ctx,
          400,
          "unknown action "
              + ctx.pathParam("action")
              + "; one of promote, abort, retry, pause, resume");
      return;
    }
    withUserClient(
        ctx,
        "patch",
        "modeldeployments",
        ns,
        client -> {
          GenericKubernetesResource patched =
              client
                  .genericKubernetesResources(MODEL_DEPLOYMENTS)
                  .inNamespace(ns)
                  .withName(name)
                  .patch(PatchContext.of(PatchType.JSON_MERGE), action.get().mergePatch());
          LOG.infof(
              "dashboard: %s of modeldeployment %s/%s by its user's token",
              action.get().wireName(), ns, name);
          return new JsonObject().put("object", json(client, patched));
        });
  }

  /**
   * A Canary's share set by hand: read with the user's token, checked with the rule the operator
   * applies ({@link SetWeightRequest#refusal}; 409 with the reason when it does not hold), then the
   * annotation patched with the same token.
   */
  private void setWeight(RoutingContext ctx) {
    String ns = ctx.pathParam("ns");
    String name = ctx.pathParam("name");
    String raw = ctx.pathParam("percent");
    if (refusedNames(ctx, ns, name)) {
      return;
    }
    if (!raw.matches("\\d{1,3}") || Integer.parseInt(raw) > 100) {
      error(ctx, 400, "set-weight takes a whole percent from 0 to 100, not " + raw);
      return;
    }
    int percent = Integer.parseInt(raw);
    withUserClient(
        ctx,
        "patch",
        "modeldeployments",
        ns,
        client -> {
          ModelDeployment md =
              client.resources(ModelDeployment.class).inNamespace(ns).withName(name).get();
          if (md == null) {
            throw new Refusal(404, "modeldeployment " + name + " not found in namespace " + ns);
          }
          ModelDeploymentStatus st = md.getStatus();
          String why =
              SetWeightRequest.refusal(
                  md.getSpec(), st, st != null && st.candidateRevision != null, raw);
          if (why != null) {
            throw new Refusal(409, why);
          }
          GenericKubernetesResource patched =
              client
                  .genericKubernetesResources(MODEL_DEPLOYMENTS)
                  .inNamespace(ns)
                  .withName(name)
                  .patch(
                      PatchContext.of(PatchType.JSON_MERGE), RolloutAction.setWeightPatch(percent));
          LOG.infof(
              "dashboard: set-weight %d of modeldeployment %s/%s by its user's token",
              percent, ns, name);
          return new JsonObject().put("object", json(client, patched));
        });
  }

  /** What the dashboard itself refuses, with its HTTP status. */
  static final class Refusal extends RuntimeException {
    final int status;

    Refusal(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  /**
   * Answers a request with what {@code call} returns, made through a client that holds only the
   * token of the request's user; 401 without one.
   */
  private void withUserClient(
      RoutingContext ctx,
      String verb,
      String resource,
      String ns,
      Function<KubernetesClient, JsonObject> call) {
    Optional<String> token = BearerToken.from(ctx.request().getHeader("Authorization"));
    if (token.isEmpty()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      error(ctx, 401, "sign in with a Kubernetes bearer token (e.g. from kubectl create token)");
      return;
    }
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(UserConfig.forUser(operatorClient.getConfiguration(), token.get()))
            .withHttpClientFactory(new VertxHttpClientFactory(vertx))
            .build()) {
      JsonObject answer = call.apply(client);
      ctx.response()
          .putHeader("Content-Type", "application/json")
          .putHeader("Cache-Control", "no-store")
          .end(answer.encode());
    } catch (KubernetesClientException e) {
      String apiMessage = e.getStatus() == null ? null : e.getStatus().getMessage();
      ApiError err = ApiError.of(e.getCode(), verb, resource, ns, apiMessage);
      error(ctx, err.status(), err.message());
    } catch (Refusal e) {
      error(ctx, e.status, e.getMessage());
    } catch (RuntimeException e) {
      LOG.warnf(e, "dashboard: %s %s failed", verb, resource);
      error(ctx, 500, "the dashboard failed to " + verb + " " + resource + ": " + e.getMessage());
    }
  }

  private static JsonObject json(KubernetesClient client, GenericKubernetesResource r) {
    return new JsonObject(client.getKubernetesSerialization().asJson(r));
  }

  /** Answers 400 and says true when {@code ns/name} cannot be a ModelDeployment's. */
  private static boolean refusedNames(RoutingContext ctx, String ns, String name) {
    if (Names.isNamespace(ns) && Names.isObjectName(name)) {
      return false;
    }
    error(ctx, 400, "not a namespace and ModelDeployment name: " + ns + "/" + name);
    return true;
  }

  private static void error(RoutingContext ctx, int status, String message) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("error", message).encode());
  }

  private static void serve(RoutingContext ctx, byte[] body, String contentType) {
    ctx.response()
        .putHeader("Content-Type", contentType)
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cache-Control", "no-cache")
        .end(io.vertx.core.buffer.Buffer.buffer(body));
  }

  private static byte[] read(String resource) {
    try (InputStream in =
        Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
