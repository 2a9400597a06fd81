package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.Phase;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.config.OperatorConfig;
import io.modelship.operator.desired.AutoscalerObjects;
import io.modelship.operator.desired.DesiredObjects;
import io.modelship.operator.desired.GatewayObjects;
import io.modelship.operator.desired.Labels;
import io.modelship.operator.desired.RouterObjects;
import io.modelship.operator.desired.TrafficTable;
import io.modelship.operator.revision.Revisions;
import io.modelship.operator.strategy.Autoscaling;
import io.modelship.operator.strategy.Decider;
import io.modelship.operator.strategy.Decision;
import io.modelship.operator.strategy.Failure;
import io.modelship.operator.strategy.RevisionState;
import io.modelship.operator.strategy.RolloutInput;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Reconciles a ModelDeployment: observe (cached Deployments and Pods, a few API reads), decide
 * ({@link Decider}, pure), act (server-side apply of the desired objects, status, events).
 */
// Not generation-aware: a promote or abort annotation changes no generation, and must wake the
// reconciler at once; SpecOrActionChanged keeps the operator's own status writes from doing so.
@ControllerConfiguration(
    name = ModelDeploymentReconciler.NAME,
    generationAwareEventProcessing = false,
    informer =
        @Informer(onUpdateFilter = SpecOrActionChanged.class, itemStore = TrimmedStore.class))
public class ModelDeploymentReconciler implements Reconciler<ModelDeployment> {
  public static final String NAME = "modeldeployment";

  private static final Logger LOG = Logger.getLogger(ModelDeploymentReconciler.class);

  @Inject OperatorConfig config;
  @Inject KubernetesClient client;
  @Inject OperatorMetrics metrics;
  @Inject Applier applier;
  @Inject RouterClient routerClient;

  @Override
  public List<EventSource<?, ModelDeployment>> prepareEventSources(
      EventSourceContext<ModelDeployment> context) {
    metrics.watch(context.getPrimaryCache());
    return List.of(
        owned(Deployment.class, context),
        owned(Pod.class, context),
        owned(Service.class, context),
        owned(ConfigMap.class, context),
        autoscalers(context));
  }

  /**
   * The revisions' HorizontalPodAutoscalers. Their controller writes their status every 15 s; only
   * a change of spec (generation) or labels concerns the operator.
   */
  private static EventSource<HorizontalPodAutoscaler, ModelDeployment> autoscalers(
      EventSourceContext<ModelDeployment> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(HorizontalPodAutoscaler.class, ModelDeployment.class)
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            .withSecondaryToPrimaryMapper(ModelDeploymentReconciler::owner)
            .withItemStore(TrimmedStore.of(HorizontalPodAutoscaler.class))
            .withOnUpdateFilter(
                (now, before) ->
                    !Objects.equals(
                            now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
                        || !Objects.equals(
                            now.getMetadata().getLabels(), before.getMetadata().getLabels()))
            .build(),
        context);
  }

  /** An informer on the objects of one kind that this operator manages, mapped to their MD. */
  private static <R extends HasMetadata> EventSource<R, ModelDeployment> owned(
      Class<R> kind, EventSourceContext<ModelDeployment> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(kind, ModelDeployment.class)
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            .withSecondaryToPrimaryMapper(ModelDeploymentReconciler::owner)
            .withItemStore(TrimmedStore.of(kind))
            .build(),
        context);
  }

  /** Owned objects name their ModelDeployment in a label (pods have no owner reference to it). */
  private static Set<ResourceID> owner(HasMetadata r) {
    Map<String, String> labels = r.getMetadata().getLabels();
    String name = labels == null ? null : labels.get(Labels.NAME);
    return name == null ? Set.of() : Set.of(new ResourceID(name, r.getMetadata().getNamespace()));
  }

  @Override
  public UpdateControl<ModelDeployment> reconcile(
      ModelDeployment md, Context<ModelDeployment> context) {
    var spec = md.getSpec();
    ModelDeploymentStatus previous =
        md.getStatus() == null ? new ModelDeploymentStatus() : md.getStatus();
    String image =
        spec.runtime != null && spec.runtime.image != null
            ? spec.runtime.image
            : config.runtimeImage();
    String desired = Revisions.of(spec, image);

    Set<Deployment> deployments = context.getSecondaryResources(Deployment.class);
    Set<Pod> pods = context.getSecondaryResources(Pod.class);
    List<RevisionState> revisions = Observations.revisions(deployments, pods);
    String stable = previous.stableRevision;
    if (stable != null
        && revisions.stream().noneMatch(r -> r.revision().equals(previous.stableRevision))) {
      // Deleted outside the operator: re-created below if it is still the desired revision.
      LOG.infof("%s: stable revision %s has no Deployment", key(md), stable);
    }

    boolean updating = stable != null && !desired.equals(stable);
    Failure blocked = Preflight.spec(spec, updating);
    // The API checks (the model source and its sha256, the key Secret, the HTTPRoute API) guard
    // the start of a revision; once its Deployment exists, its pods verify the model themselves.
    // Checking on every reconcile cost a read of the model's ConfigMap per pod event: at 1,000
    // ModelDeployments the operator spent its CPU on that (bench/scale.sh).
    boolean started = revisions.stream().anyMatch(r -> r.revision().equals(desired));
    if (blocked == null && !started) {
      blocked = Preflight.cluster(md, client);
    }
    Decider.Action action = action(md);
    boolean routed = Routing.routed(spec);
    boolean gateway = GatewayObjects.applies(spec);
    Routing.Observed routers = routed ? Routing.observe(pods, routerClient) : Routing.Observed.NONE;
    Instant now = Instant.now();
    // Routed (the built-in router) and Gateway API Canary rollouts step by the same machines;
    // only the router has counters for an analysis.
    boolean stepped = routed || (gateway && GatewayObjects.byRevision(spec));
    boolean rollingOut = stepped && stable != null && !desired.equals(stable);
    SetWeightRequest weightAsked = SetWeightRequest.of(md, spec, previous, rollingOut);
    Routing.StepInputs steps =
        rollingOut
            ? Routing.steps(spec, previous, desired, routers, now, weightAsked.weight())
            : null;
    StrategyType type = spec.strategy == null ? StrategyType.RollingUpdate : spec.strategy.type;
    // Canary, BlueGreen and Shadow keep the stable revision at full size, and its autoscaler.
    boolean keepsStable =
        steps != null && type != StrategyType.RollingUpdate && type != StrategyType.Recreate;
    RevisionState stableNow =
        stable == null
            ? null
            : revisions.stream().filter(r -> r.revision().equals(stable)).findFirst().orElse(null);
    int replicas =
        Autoscaling.fullSize(
            spec.autoscaling, spec.replicas, stableNow, previous.rolloutReplicas, keepsStable);
    RolloutInput input =
        new RolloutInput(
            desired,
            stable,
            replicas,
            revisions,
            spec.strategy == null ? null : spec.strategy.rollingUpdate);
    Decision decision =
        Decider.decide(
            new Decider.Input(
                input,
                type,
                previous.rejectedRevision,
                blocked,
                input.state(desired).failure(),
                Boolean.TRUE.equals(spec.paused),
                action,
                rejection(previous),
                steps == null ? Routing.retiring(spec, previous, now) : steps.steps()));

    LOG.debugf(
        "%s: desired %s stable %s revisions %s -> %s %s %s",
        key(md),
        desired,
        stable,
        revisions,
        decision.plan().phase(),
        decision.plan().replicas(),
        decision.plan().delete());
    RevisionState stableState = decision.stable() == null ? null : input.state(decision.stable());
    Set<String> autoscaled =
        Autoscaling.autoscaled(
            spec.autoscaling, decision, stableState, previous.rolloutReplicas, keepsStable);
    boolean heldBack =
        apply(
            md, decision, desired, image, deployments, context, routed, routers, pods, autoscaled);
    boolean promoting =
        action == Decider.Action.PROMOTE
            && stepped
            && Routing.promotionPending(decision, previous.stableRevision);
    if (action != Decider.Action.NONE && !promoting) {
      clearAction(md);
    }
    if (weightAsked.asked()) {
      if (weightAsked.refusal() != null) {
        EventRecorder.record(
            client, md, true, "SetWeightRefused", "set-weight refused: " + weightAsked.refusal());
      }
      clearAnnotation(md, Labels.SET_WEIGHT);
    }

    String url =
        "http://"
            + md.getMetadata().getName()
            + "."
            + md.getMetadata().getNamespace()
            + ".svc."
            + config.clusterDomain()
            + ":"
            + DesiredObjects.HTTP_PORT;
    if (routed && routers.views().isEmpty() && decision.plan().phase() == Phase.Healthy) {
      // Clients reach the model through the router: not Ready until a router answers.
      decision = Routing.waitingForRouter(md, decision);
    }
    String nowText = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    ModelDeploymentStatus next = StatusBuilder.build(md, decision, stableState, url, nowText);
    next.rolloutReplicas =
        Autoscaling.remember(
            spec.autoscaling,
            decision,
            replicas,
            stableState,
            previous.rolloutReplicas,
            keepsStable);
    if (steps != null) {
      Routing.record(next, decision, steps);
    }
    next.history = RolloutHistory.next(spec, previous, next, nowText);
    announce(md, previous, next);
    metrics.reconciled(next.phase);
    metrics.transition(md.getMetadata().getNamespace(), md.getMetadata().getName(), previous, next);

    UpdateControl<ModelDeployment> control;
    if (StatusBuilder.same(previous, next)) {
      control = UpdateControl.noUpdate();
    } else {
      md.setStatus(next);
      control = UpdateControl.patchStatus(md);
    }
    // Informers wake us on every pod or Deployment change; this is only a safety net. A routed
    // rollout also waits on clocks (pauses, analysis) and on routers taking a table.
    if (heldBack || (stepped && next.phase != Phase.Healthy && next.phase != Phase.RolledBack)) {
      control.rescheduleAfter(Duration.ofSeconds(2));
    } else if (next.scaleDownAt != null) {
      // BlueGreen keeps the previous revision until then.
      Duration left = Duration.between(Instant.now(), Instant.parse(next.scaleDownAt));
      control.rescheduleAfter(left.isNegative() ? Duration.ofSeconds(1) : left.plusSeconds(1));
    } else if (next.phase != Phase.Healthy) {
      control.rescheduleAfter(Duration.ofSeconds(30));
    }
    return control;
  }

  /**
   * A reconcile that threw shows in status (see {@link StatusBuilder#failed}); the framework
   * retries it with a growing delay (quarkus.operator-sdk.controllers.modeldeployment.retry.*).
   */
  @Override
  public ErrorStatusUpdateControl<ModelDeployment> updateErrorStatus(
      ModelDeployment md, Context<ModelDeployment> context, Exception e) {
    ModelDeploymentStatus next =
        StatusBuilder.failed(
            md,
            new Failure("ReconcileFailed", failure(e)),
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    if (next == null) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    md.setStatus(next);
    return ErrorStatusUpdateControl.patchStatus(md);
  }

  /** What went wrong, in a sentence: the API server's own message when it refused a request. */
  static String failure(Exception e) {
    String what = "the operator failed: " + e;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getStatus() != null) {
        what =
            "the API server answered "
                + k.getCode()
                + " to the operator's request: "
                + k.getStatus().getMessage();
        break;
      }
    }
    return "reconcile failed, retried with a growing delay; "
        + (what.length() > 2000 ? what.substring(0, 2000) + "…" : what);
  }

  /** Why status.rejectedRevision was rejected, as its Degraded condition said. */
  private static Failure rejection(ModelDeploymentStatus s) {
    if (s.rejectedRevision == null || s.conditions == null) {
      return null;
    }
    return s.conditions.stream()
        .filter(c -> "Degraded".equals(c.getType()) && "True".equals(c.getStatus()))
        .map(c -> new Failure(c.getReason(), c.getMessage()))
        .findFirst()
        .orElse(null);
  }

  /**
   * Applies what the plan keeps and deletes what it drops; with a router, also the router's objects
   * and its table, and a revision a router still sends traffic to is not deleted yet.
   *
   * @return true when a deletion was held back for a router
   */
  private boolean apply(
      ModelDeployment md,
      Decision decision,
      String desiredRevision,
      String image,
      Set<Deployment> existing,
      Context<ModelDeployment> context,
      boolean routed,
      Routing.Observed routers,
      Set<Pod> pods,
      Set<String> autoscaled) {
    Map<String, Deployment> byRevision =
        existing.stream()
            .filter(d -> d.getMetadata().getLabels() != null)
            .collect(
                Collectors.toMap(
                    d -> d.getMetadata().getLabels().get(Labels.REVISION), d -> d, (a, b) -> a));
    Map<String, ConfigMap> cards =
        context.getSecondaryResources(ConfigMap.class).stream()
            .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c, (a, b) -> a));
    Map<String, Service> services =
        context.getSecondaryResources(Service.class).stream()
            .collect(Collectors.toMap(x -> x.getMetadata().getName(), x -> x, (a, b) -> a));
    Map<String, HorizontalPodAutoscaler> autoscalers =
        context.getSecondaryResources(HorizontalPodAutoscaler.class).stream()
            .collect(Collectors.toMap(h -> h.getMetadata().getName(), h -> h, (a, b) -> a));
    // An autoscaler goes before the operator resizes its revision, or it would scale it back.
    autoscalers.values().stream()
        .filter(h -> !autoscaled.contains(revisionOf(h)))
        .forEach(this::delete);
    // The revisions first: a Service can take the API server seconds to create (it allocates an
    // address), and a reconcile that fails on it must not have held back the pods (bench/scale.sh).
    decision
        .plan()
        .replicas()
        .forEach(
            (revision, count) -> {
              Deployment cached = byRevision.get(revision);
              if (revision.equals(desiredRevision)) {
                applyIfChanged(
                    DesiredObjects.card(md, revision),
                    cards.get(Revisions.objectName(md, revision)));
                boolean sized = autoscaled.contains(revision);
                Deployment desired =
                    DesiredObjects.deployment(
                        md,
                        revision,
                        sized ? null : count,
                        image,
                        config.terminationGracePeriodSeconds());
                applyIfChanged(
                    desired,
                    cached,
                    sized && cached != null ? () -> applier.shareReplicas(cached) : null);
              } else if (cached != null) {
                // Other revisions keep the template they were created with: only their size
                // changes, unless their autoscaler sizes them.
                if (!autoscaled.contains(revision)) {
                  scale(cached, count);
                }
              } else {
                LOG.warnf(
                    "%s: revision %s has no Deployment and no longer matches the spec; it cannot be re-created",
                    key(md), revision);
              }
            });
    // A CPU target the serving container cannot be measured against (Preflight says why) leaves
    // the autoscaler as it was.
    if (Preflight.autoscaling(md.getSpec()) == null) {
      for (String revision : autoscaled) {
        applyIfChanged(
            AutoscalerObjects.autoscaler(md, revision),
            autoscalers.get(Revisions.objectName(md, revision)));
      }
    }
    Service cachedService = services.get(md.getMetadata().getName());
    if (!decision.plan().replicas().isEmpty()) {
      applyIfChanged(
          routed ? RouterObjects.service(md) : DesiredObjects.service(md), cachedService);
    }
    boolean preview = routed && md.getSpec().strategy.type == StrategyType.BlueGreen;
    Service cachedPreview = services.get(RouterObjects.previewName(md));
    if (preview) {
      applyIfChanged(RouterObjects.previewService(md), cachedPreview);
    } else if (cachedPreview != null) {
      delete(cachedPreview);
    }
    if (!routed) {
      retireRouter(md, existing, cards, cachedService);
    }
    if (GatewayObjects.applies(md.getSpec())) {
      route(md, decision, services);
    }
    boolean heldBack = false;
    if (routed && decision.stable() != null) {
      Deployment cachedRouter =
          existing.stream()
              .filter(d -> d.getMetadata().getName().equals(RouterObjects.name(md)))
              .findFirst()
              .orElse(null);
      String token = Routing.token(client, md);
      TrafficTable table =
          TrafficTable.of(
              decision.stable(),
              decision.candidate(),
              Observations.readyEndpoints(pods, DesiredObjects.HTTP_PORT),
              decision.candidateWeight(),
              md.getSpec().strategy.canary == null ? null : md.getSpec().strategy.canary.match,
              Routing.mirrorPercent(md.getSpec()));
      if (table != null) {
        ConfigMap cachedTable = cards.get(RouterObjects.name(md));
        String before =
            cachedTable == null || cachedTable.getData() == null
                ? null
                : cachedTable.getData().get(RouterObjects.TABLE_KEY);
        table = table.versioned(before, System.currentTimeMillis());
        applyIfChanged(RouterObjects.table(md, table), cachedTable);
        Routing.PushResult pushed =
            routers.push(routerClient, token, table, !table.json().equals(before));
        if (pushed == Routing.PushResult.TOKEN_REFUSED) {
          // Read the Secret again next time; the routers still follow the ConfigMap meanwhile.
          Routing.forgetToken(md);
        }
        // A router that did not take the table, or did not answer: try again soon.
        heldBack |= pushed != Routing.PushResult.OK || !routers.unread().isEmpty();
      }
      applyIfChanged(RouterObjects.deployment(md, image), cachedRouter);
    }
    for (String revision : decision.plan().delete()) {
      if (routed && routers.routes(revision)) {
        heldBack = true; // a router still sends it traffic: next time
        continue;
      }
      String name = Revisions.objectName(md, revision);
      String ns = md.getMetadata().getNamespace();
      // The Deployment last: it is what makes the revision observed, so an operator killed
      // between these deletes finds the revision again and finishes them; deleted first, it left
      // the card (and Service) behind for good (e2e/fault-e2e.sh found one after a SIGKILL).
      Service revisionService = services.get(name);
      if (revisionService != null) {
        delete(revisionService); // the GatewayAPI provider's Service of that revision
      }
      client.configMaps().inNamespace(ns).withName(name).delete();
      client.apps().deployments().inNamespace(ns).withName(name).delete();
    }
    return heldBack;
  }

  /**
   * GatewayAPI provider: a Service per revision the plan keeps (Canary), and the HTTPRoute with
   * this decision's split, written when its content changed. A revision's Service goes with it.
   */
  private void route(ModelDeployment md, Decision decision, Map<String, Service> services) {
    boolean byRevision = GatewayObjects.byRevision(md.getSpec());
    if (byRevision) {
      if (decision.stable() == null) {
        return; // the first revision is not ready yet: nothing to route to
      }
      decision
          .plan()
          .replicas()
          .keySet()
          .forEach(
              rev ->
                  applyIfChanged(
                      GatewayObjects.revisionService(md, rev),
                      services.get(Revisions.objectName(md, rev))));
    }
    var canary = md.getSpec().strategy == null ? null : md.getSpec().strategy.canary;
    applyIfChanged(
        GatewayObjects.route(
            md,
            byRevision ? decision.stable() : null,
            byRevision ? decision.candidate() : null,
            decision.candidateWeight(),
            canary == null ? null : canary.match),
        Gateways.live(client, md));
  }

  /**
   * After a switch to a strategy without the router: its objects go, once the Service {@code
   * <name>} already selects the serving pods directly (so no client is still sent to a router).
   */
  private void retireRouter(
      ModelDeployment md,
      Set<Deployment> existing,
      Map<String, ConfigMap> cards,
      Service cachedService) {
    Deployment router =
        existing.stream()
            .filter(d -> d.getMetadata().getName().equals(RouterObjects.name(md)))
            .findFirst()
            .orElse(null);
    boolean direct =
        cachedService != null
            && cachedService.getSpec() != null
            && cachedService.getSpec().getSelector() != null
            && !cachedService.getSpec().getSelector().containsKey(RouterObjects.COMPONENT);
    if (router == null || !direct) {
      return;
    }
    LOG.infof("%s: the strategy no longer uses the router; removing it", key(md));
    delete(router);
    ConfigMap table = cards.get(RouterObjects.name(md));
    if (table != null) {
      delete(table);
    }
    // The token Secret stays (the chart grants no delete on Secrets); it goes with the
    // ModelDeployment, and a router started later reads it again.
  }

  private void delete(HasMetadata r) {
    client.resource(r).delete();
  }

  /**
   * Server-side apply with one field manager, when the object is missing, its desired content
   * changed, or another writer changed a field that matters ({@link Drift}); otherwise nothing is
   * sent, so a steady state costs no writes.
   */
  private void applyIfChanged(HasMetadata desired, HasMetadata cached) {
    applyIfChanged(desired, cached, null);
  }

  /** As above; {@code before} runs first when there is something to apply. */
  private void applyIfChanged(HasMetadata desired, HasMetadata cached, Runnable before) {
    String hash =
        Integer.toHexString(Objects.hash(client.getKubernetesSerialization().asJson(desired)));
    desired
        .getMetadata()
        .setAnnotations(new java.util.LinkedHashMap<>(Map.of(Drift.APPLIED, hash)));
    if (Drift.needsApply(desired, cached, hash)) {
      if (before != null) {
        before.run();
      }
      applier.apply(desired);
    }
  }

  private static String revisionOf(HasMetadata r) {
    Map<String, String> labels = r.getMetadata().getLabels();
    return labels == null ? null : labels.get(Labels.REVISION);
  }

  private void scale(Deployment d, int replicas) {
    Integer current = d.getSpec() == null ? null : d.getSpec().getReplicas();
    if (current != null && current == replicas) {
      return;
    }
    client
        .apps()
        .deployments()
        .inNamespace(d.getMetadata().getNamespace())
        .withName(d.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":" + replicas + "}}");
  }

  private static Decider.Action action(ModelDeployment md) {
    Map<String, String> a = md.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(Labels.ACTION);
    if (v == null) {
      return Decider.Action.NONE;
    }
    return switch (v.strip().toLowerCase(Locale.ROOT)) {
      case "abort" -> Decider.Action.ABORT;
      case "retry" -> Decider.Action.RETRY;
      case "promote" -> Decider.Action.PROMOTE;
      default -> Decider.Action.NONE;
    };
  }

  /** An action is done once handled: remove the annotation so it does not repeat. */
  private void clearAction(ModelDeployment md) {
    clearAnnotation(md, Labels.ACTION);
  }

  /**
   * Removes a handled annotation. The status of this reconcile is written after it, with the
   * resourceVersion the removal produced: with the one read before, the status write met a
   * conflict, the reconcile failed, and what the annotation asked for (an abort, a weight) was lost
   * with it.
   */
  private void clearAnnotation(ModelDeployment md, String key) {
    ModelDeployment updated =
        client
            .resources(ModelDeployment.class)
            .inNamespace(md.getMetadata().getNamespace())
            .withName(md.getMetadata().getName())
            .edit(
                current -> {
                  if (current.getMetadata().getAnnotations() != null) {
                    current.getMetadata().getAnnotations().remove(key);
                  }
                  return current;
                });
    if (updated != null && updated.getMetadata() != null) {
      md.getMetadata().setResourceVersion(updated.getMetadata().getResourceVersion());
    }
  }

  /** An Event for each change of phase or revision a user would want to know about. */
  private void announce(
      ModelDeployment md, ModelDeploymentStatus before, ModelDeploymentStatus after) {
    boolean phaseChanged = before.phase != after.phase;
    boolean reasonChanged = !Objects.equals(reason(before), reason(after));
    if (!phaseChanged
        && !reasonChanged
        && Objects.equals(before.stableRevision, after.stableRevision)) {
      return;
    }
    boolean warning = after.phase == Phase.Degraded || after.phase == Phase.RolledBack;
    String message =
        after.conditions.stream()
            .filter(c -> c.getType().equals(warning ? "Degraded" : "Progressing"))
            .map(c -> c.getMessage())
            .findFirst()
            .orElse("");
    if (after.phase == Phase.Healthy) {
      message = "revision " + after.stableRevision + " serves";
    }
    EventRecorder.record(
        client,
        md,
        warning,
        after.phase.name(),
        message.isEmpty() ? "phase " + after.phase : message);
  }

  private static String reason(ModelDeploymentStatus s) {
    if (s.conditions == null) {
      return null;
    }
    return s.conditions.stream()
        .filter(c -> "Degraded".equals(c.getType()))
        .map(c -> c.getReason())
        .findFirst()
        .orElse(null);
  }

  private static String key(ModelDeployment md) {
    return md.getMetadata().getNamespace() + "/" + md.getMetadata().getName();
  }
}
