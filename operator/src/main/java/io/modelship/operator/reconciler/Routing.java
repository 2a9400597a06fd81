package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.modelship.operator.api.AnalysisStatus;
import io.modelship.operator.api.Durations;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.api.TrafficProvider;
import io.modelship.operator.desired.DesiredObjects;
import io.modelship.operator.desired.RouterObjects;
import io.modelship.operator.desired.TrafficTable;
import io.modelship.operator.strategy.Analysis;
import io.modelship.operator.strategy.CanarySteps;
import io.modelship.operator.strategy.Decider;
import io.modelship.operator.strategy.Decision;
import io.modelship.operator.strategy.Gate;
import io.modelship.operator.strategy.ShadowSteps;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The part of a reconcile that concerns the traffic router (Canary, Shadow and BlueGreen with the
 * Router provider): what the routers report, the analysis of their counters, the step's inputs and
 * the status it leaves, the admin token, and pushing a new table to every router.
 */
final class Routing {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Routing() {}

  /** Whether this ModelDeployment's traffic goes through a router. */
  static boolean routed(ModelDeploymentSpec spec) {
    return spec.strategy != null
        && (spec.strategy.type == StrategyType.Canary
            || spec.strategy.type == StrategyType.Shadow
            || spec.strategy.type == StrategyType.BlueGreen)
        && (spec.traffic == null
            || spec.traffic.provider == null
            || spec.traffic.provider == TrafficProvider.Router);
  }

  /**
   * What the routers report, by router endpoint, their counters summed by revision, and the ready
   * routers that did not answer (whose table is then unknown).
   */
  record Observed(
      Map<String, RouterClient.View> views,
      Map<String, Analysis.Window> windows,
      Set<String> unread) {
    static final Observed NONE = new Observed(Map.of(), Map.of(), Set.of());

    /**
     * Whether a router may still send this revision traffic: one reports it, or one did not answer.
     */
    boolean routes(String revision) {
      return !unread.isEmpty()
          || views.values().stream()
              .anyMatch(v -> revision.equals(v.stable()) || revision.equals(v.candidate()));
    }

    Analysis.Window window(String revision) {
      return windows.getOrDefault(revision, Analysis.Window.empty());
    }

    /**
     * Sends the table to every router that reported another one (a router started from a table file
     * the kubelet had not refreshed yet), and, when it changed, to every router, also those that
     * did not answer {@code /stats} this time.
     *
     * @return what went wrong: nothing, a router that did not take it, or one that refused the
     *     token
     */
    PushResult push(RouterClient client, String token, TrafficTable table, boolean changed) {
      PushResult result = PushResult.OK;
      Map<String, RouterClient.View> targets = new LinkedHashMap<>(views);
      unread.forEach(endpoint -> targets.put(endpoint, null));
      for (var e : targets.entrySet()) {
        RouterClient.View v = e.getValue();
        boolean stale =
            v == null
                || !Objects.equals(v.stable(), table.stableRevision())
                || !Objects.equals(v.candidate(), table.candidateRevision())
                || v.weight() != table.candidateWeight()
                || v.version() != table.version();
        if (!changed && !stale) {
          continue;
        }
        int status = client.put(e.getKey(), token, table.json());
        if (status == 401 || status == 403) {
          result = PushResult.TOKEN_REFUSED;
        } else if (status != 200 && result == PushResult.OK) {
          result = PushResult.NOT_TAKEN;
        }
      }
      return result;
    }
  }

  /** How a push went. */
  enum PushResult {
    OK,
    /** A router did not answer or refused the table (409: an older version than its own). */
    NOT_TAKEN,
    TOKEN_REFUSED
  }

  static Observed observe(Set<Pod> pods, RouterClient client) {
    Map<String, RouterClient.View> views = new LinkedHashMap<>();
    Map<String, Analysis.Window> windows = new LinkedHashMap<>();
    Set<String> unread = new java.util.TreeSet<>();
    for (Pod p : pods) {
      Map<String, String> l = p.getMetadata().getLabels();
      if (l == null
          || !RouterObjects.ROUTER.equals(l.get(RouterObjects.COMPONENT))
          || p.getMetadata().getDeletionTimestamp() != null
          || p.getStatus() == null
          || p.getStatus().getPodIP() == null) {
        continue;
      }
      String endpoint = p.getStatus().getPodIP() + ":" + DesiredObjects.HTTP_PORT;
      RouterClient.View v = client.stats(endpoint);
      if (v == null) {
        if (ready(p)) {
          unread.add(endpoint); // serving, but its table is unknown
        }
        continue;
      }
      views.put(endpoint, v);
      if (v.stable() != null) {
        windows.merge(v.stable(), v.stableWindow(), RouterClient::sum);
      }
      if (v.candidate() != null) {
        windows.merge(v.candidate(), v.candidateWindow(), RouterClient::sum);
      }
    }
    return new Observed(views, windows, unread);
  }

  private static boolean ready(Pod p) {
    return p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * The step's inputs for Canary, Shadow or BlueGreen (one of the three), and the analysis figures
   * when an evaluation was due.
   */
  record StepInputs(Decider.Steps steps, AnalysisStatus figures, int failures) {}

  static StepInputs steps(
      ModelDeploymentSpec spec,
      ModelDeploymentStatus previous,
      String desired,
      Observed routers,
      Instant now,
      Integer setWeight) {
    int failures =
        previous.analysis == null || previous.analysis.failures == null
            ? 0
            : previous.analysis.failures;
    CanarySteps.State state = null;
    if (desired.equals(previous.candidateRevision)
        && previous.currentStep != null
        && previous.stepStartedAt != null) {
      state =
          new CanarySteps.State(
              previous.currentStep,
              Instant.parse(previous.stepStartedAt),
              failures,
              previous.manualWeight);
    } else {
      failures = 0;
    }
    Gate gate = Gate.NONE;
    AnalysisStatus figures = null;
    if (spec.analysis != null) {
      Duration interval = Durations.parse(spec.analysis.interval, Duration.ofSeconds(30));
      Instant last =
          previous.analysis == null || previous.analysis.evaluatedAt == null || state == null
              ? null
              : Instant.parse(previous.analysis.evaluatedAt);
      if (last == null || !now.isBefore(last.plus(interval))) {
        Analysis.Verdict v =
            Analysis.evaluate(
                spec.analysis, routers.window(desired), routers.window(previous.stableRevision));
        Analysis.Outcome o = Analysis.resolve(v, spec.analysis.onNoData);
        int limit = spec.analysis.failureLimit == null ? 0 : spec.analysis.failureLimit;
        gate = new Gate(o, v.reasons(), failures, limit);
        figures = v.figures();
        figures.evaluatedAt = now.truncatedTo(ChronoUnit.SECONDS).toString();
      }
    }
    // The Shadow and BlueGreen machines see this verdict's failure already counted in the gate; the
    // Canary machine counts it itself, as it also tracks the failures of its analysis steps.
    Gate counted =
        gate.verdict() == Analysis.Outcome.FAIL
            ? new Gate(gate.verdict(), gate.reasons(), failures + 1, gate.failureLimit())
            : gate;
    if (spec.strategy.type == StrategyType.BlueGreen) {
      var bg = spec.strategy.blueGreen;
      Integer auto =
          bg == null || bg.autoPromotionSeconds == null || bg.autoPromotionSeconds == 0
              ? null
              : bg.autoPromotionSeconds;
      return new StepInputs(
          new Decider.BlueGreen(
              auto, bg == null ? null : bg.scaleDownDelaySeconds, state, now, counted, null),
          figures,
          failures);
    }
    if (spec.strategy.type == StrategyType.Shadow) {
      return new StepInputs(
          new Decider.Shadow(
              mirrorPercent(spec),
              Durations.parse(
                  spec.strategy.shadow == null ? null : spec.strategy.shadow.duration,
                  ShadowSteps.DEFAULT_DURATION),
              state,
              now,
              counted),
          figures,
          failures);
    }
    boolean ab =
        spec.strategy.canary != null
            && spec.strategy.canary.match != null
            && !spec.strategy.canary.match.isEmpty();
    return new StepInputs(
        new Decider.Canary(
            spec.strategy.canary == null || spec.strategy.canary.steps == null
                ? java.util.List.of()
                : spec.strategy.canary.steps,
            state,
            now,
            gate,
            ab ? 1 : 0,
            setWeight),
        figures,
        failures);
  }

  /** Shadow's mirrored share (100 % unless the spec says otherwise); 0 for other strategies. */
  static int mirrorPercent(ModelDeploymentSpec spec) {
    if (spec.strategy == null || spec.strategy.type != StrategyType.Shadow) {
      return 0;
    }
    return spec.strategy.shadow == null || spec.strategy.shadow.mirrorPercent == null
        ? ShadowSteps.DEFAULT_MIRROR_PERCENT
        : spec.strategy.shadow.mirrorPercent;
  }

  /**
   * After a BlueGreen switch, while the previous revision is kept: what the Decider needs to keep
   * it, from status; null otherwise.
   */
  static Decider.BlueGreen retiring(
      ModelDeploymentSpec spec, ModelDeploymentStatus previous, Instant now) {
    if (spec.strategy == null
        || spec.strategy.type != StrategyType.BlueGreen
        || previous.scaleDownAt == null) {
      return null;
    }
    return new Decider.BlueGreen(
        null, null, null, now, Gate.NONE, Instant.parse(previous.scaleDownAt));
  }

  /** Where the rollout stands, into the status. */
  static void record(ModelDeploymentStatus next, Decision d, StepInputs in) {
    if (in.steps() instanceof Decider.Shadow sh
        && d.candidate() != null
        && d.canary() != null
        && next.traffic != null) {
      next.traffic.mirrored = sh.mirrorPercent();
    }
    if (d.canary() == null) {
      // Done or rolled back: the figures of the verdict that decided it stay in status.
      next.currentStep = null;
      next.stepStartedAt = null;
      if (in.figures() != null) {
        in.figures().failures = in.failures() + (d.rejected() != null ? 1 : 0);
        next.analysis = in.figures();
      }
      return;
    }
    next.currentStep = d.canary().step();
    next.stepStartedAt = d.canary().stepStartedAt().truncatedTo(ChronoUnit.MILLIS).toString();
    next.manualWeight = d.canary().manualWeight();
    if (in.figures() != null) {
      in.figures().failures = d.canary().analysisFailures();
      next.analysis = in.figures();
    } else if (next.analysis != null) {
      next.analysis.failures = d.canary().analysisFailures();
    }
  }

  /**
   * Whether a promote annotation must stay: until status shows the promotion done. The next
   * reconcile may still read the status from before this one (whose write can also fail on a
   * conflict), and must then promote again, not step back to where that status stood.
   *
   * @param recordedStable the stable revision that status recorded before this reconcile
   */
  static boolean promotionPending(Decision d, String recordedStable) {
    boolean stillPromoting =
        d.candidate() != null && d.plan().phase() == io.modelship.operator.api.Phase.Progressing;
    return stillPromoting || !Objects.equals(d.stable(), recordedStable);
  }

  /** The decision, held at Progressing until a router of the ModelDeployment answers. */
  static Decision waitingForRouter(ModelDeployment md, Decision d) {
    var p = d.plan();
    return new Decision(
        new io.modelship.operator.strategy.Plan(
            p.replicas(),
            p.delete(),
            io.modelship.operator.api.Phase.Progressing,
            false,
            "WaitingForRouter",
            "waiting for the traffic router "
                + RouterObjects.name(md)
                + " to be ready and answer on /stats"),
        d.stable(),
        d.candidate(),
        d.rejected(),
        d.degraded(),
        d.candidateWeight(),
        d.canary());
  }

  /**
   * Tokens already read, by ModelDeployment uid: a rollout reconciles every 2 s, and the Secret
   * does not change under a running router (it reads its token file once, at start).
   */
  private static final Map<String, String> TOKENS = new java.util.concurrent.ConcurrentHashMap<>();

  private static final int MAX_TOKENS = 10_000;

  /** Forgets a ModelDeployment's token (a router refused it, or the ModelDeployment is gone). */
  static void forgetToken(ModelDeployment md) {
    TOKENS.remove(md.getMetadata().getUid());
  }

  /**
   * The router's admin token: from memory, else read from its Secret, which is made with a random
   * one if absent.
   */
  static String token(KubernetesClient client, ModelDeployment md) {
    String uid = md.getMetadata().getUid();
    String known = uid == null ? null : TOKENS.get(uid);
    if (known != null) {
      return known;
    }
    String token = readOrCreateToken(client, md);
    if (uid != null) {
      if (TOKENS.size() >= MAX_TOKENS) {
        TOKENS.clear(); // deleted ModelDeployments' entries go too; the rest are read again
      }
      TOKENS.put(uid, token);
    }
    return token;
  }

  private static String readOrCreateToken(KubernetesClient client, ModelDeployment md) {
    String ns = md.getMetadata().getNamespace();
    Secret s = client.secrets().inNamespace(ns).withName(RouterObjects.tokenName(md)).get();
    if (s != null && s.getData() != null && s.getData().get(RouterObjects.TOKEN_KEY) != null) {
      return new String(
          Base64.getDecoder().decode(s.getData().get(RouterObjects.TOKEN_KEY)),
          StandardCharsets.UTF_8);
    }
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    String token = HexFormat.of().formatHex(b);
    client.secrets().inNamespace(ns).resource(RouterObjects.token(md, token)).create();
    return token;
  }
}
