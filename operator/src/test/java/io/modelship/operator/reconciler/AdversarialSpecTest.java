package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.modelship.operator.api.AuthSpec;
import io.modelship.operator.api.CanarySpec;
import io.modelship.operator.api.CanaryStep;
import io.modelship.operator.api.Durations;
import io.modelship.operator.api.FeatureType;
import io.modelship.operator.api.InputSpec;
import io.modelship.operator.api.MatchRule;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.ModelSpec;
import io.modelship.operator.api.OutputSpec;
import io.modelship.operator.api.ParentRef;
import io.modelship.operator.api.PauseStep;
import io.modelship.operator.api.Phase;
import io.modelship.operator.api.RollingUpdateSpec;
import io.modelship.operator.api.SecretKeyRef;
import io.modelship.operator.api.StrategySpec;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.api.TrafficProvider;
import io.modelship.operator.api.TrafficSpec;
import io.modelship.operator.desired.DesiredObjects;
import io.modelship.operator.desired.GatewayObjects;
import io.modelship.operator.desired.ModelCards;
import io.modelship.operator.desired.RouterObjects;
import io.modelship.operator.desired.TrafficTable;
import io.modelship.operator.revision.Revisions;
import io.modelship.operator.strategy.Analysis;
import io.modelship.operator.strategy.CanarySteps;
import io.modelship.operator.strategy.Decider;
import io.modelship.operator.strategy.Decision;
import io.modelship.operator.strategy.Failure;
import io.modelship.operator.strategy.Gate;
import io.modelship.operator.strategy.RevisionState;
import io.modelship.operator.strategy.RolloutInput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Specs the schema lets through but that try to hurt the operator: the longest lists it allows,
 * extreme numbers, names and strings at their length limits, unicode and YAML look-alikes,
 * durations of centuries, weights at the edges, resources the API server would refuse. Each must
 * give objects the API server accepts, or a Degraded condition whose message names the field; never
 * an exception. Here through the pure parts; {@link AdversarialReconcileTest} runs them through the
 * reconciler.
 */
class AdversarialSpecTest {
  static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  /** The longest metadata.name the CRD admits. */
  static final String NAME_45 = "a" + "-b".repeat(21) + "c";

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static ModelDeployment md(String name, ModelDeploymentSpec spec) {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("n".repeat(63))
            .withUid("0b3fd2a8-3d1b-4c66-9a2c-6f2d9c1e4a77")
            .withGeneration(1L)
            .build());
    md.setSpec(spec);
    return md;
  }

  static ModelDeploymentSpec spec() {
    ModelDeploymentSpec s = new ModelDeploymentSpec();
    s.model = new ModelSpec();
    s.model.name = "m".repeat(63);
    s.model.version = "9".repeat(63);
    s.model.description = "d".repeat(1024);
    s.model.uri = "https://models.example/" + "p".repeat(2000) + ".onnx";
    s.model.sha256 = "AB".repeat(32);
    return s;
  }

  /**
   * 256 features (the schema's maximum) with 128-character names full of YAML syntax and non-ASCII
   * letters, and the most extreme bounds a double holds.
   */
  static List<InputSpec> mostInputs() {
    double[][] bounds = {
      {-Double.MAX_VALUE, Double.MAX_VALUE},
      {5, 5},
      {Double.MIN_VALUE, 2 * Double.MIN_VALUE},
      {-0.0, 0.0},
      {-1e308, -1e-300},
      {1e15 + 0.5, 1e15 + 0.5},
    };
    String[] looks = {"null", "~", "true", "- x", "#", ": a", "'q'", "\"", "ü\u2028\u0085", "1e3"};
    List<InputSpec> inputs = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      InputSpec in = new InputSpec();
      String head = String.format("%03d", i) + looks[i % looks.length];
      in.name = head + "é".repeat(128 - head.length());
      in.description = "x".repeat(1024);
      switch (i % 5) {
        case 0, 1, 2 -> {
          in.type = i % 5 == 0 ? FeatureType.DOUBLE : FeatureType.FLOAT;
          in.min = bounds[i % bounds.length][0];
          in.max = bounds[i % bounds.length][1];
        }
        case 3 -> {
          in.type = FeatureType.STRING;
          in.required = false;
          in.defaultValue = JsonNodeFactory.instance.textNode("yes\nno: " + "\u00a0".repeat(64));
        }
        default -> {
          in.type = FeatureType.INTEGER;
          in.min = (double) Long.MIN_VALUE;
          in.max = (double) Long.MAX_VALUE;
        }
      }
      inputs.add(in);
    }
    return inputs;
  }

  /** 1000 labels (the schema's maximum) of 256 characters each. */
  static List<String> mostLabels(String filler) {
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String head = i + ":";
      labels.add(head + filler.repeat(256 - head.length()));
    }
    return labels;
  }

  static CanaryStep weight(int w) {
    CanaryStep s = new CanaryStep();
    s.setWeight = w;
    return s;
  }

  static CanaryStep pause(String d) {
    CanaryStep s = new CanaryStep();
    s.pause = new PauseStep();
    s.pause.duration = d;
    return s;
  }

  static CanaryStep analysis(String d) {
    CanaryStep s = new CanaryStep();
    s.analysis = new io.modelship.operator.api.AnalysisStep();
    s.analysis.duration = d;
    return s;
  }

  /** 50 steps (the maximum): rising weights, pauses and analyses of absurd lengths. */
  static List<CanaryStep> mostSteps() {
    List<CanaryStep> steps = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      steps.add(
          switch (i % 4) {
            case 0 -> weight(Math.min(100, i * 3));
            case 1 -> pause("99999999999999999999999999h");
            case 2 -> analysis("0.0001ms");
            default -> weight(Math.min(100, i * 3));
          });
    }
    return steps;
  }

  /** 10 A/B rules (the maximum) of 10 headers each, values at the schema's 256 characters. */
  static List<MatchRule> mostRules() {
    List<MatchRule> rules = new ArrayList<>();
    for (int r = 0; r < 10; r++) {
      MatchRule m = new MatchRule();
      m.headers = new LinkedHashMap<>();
      for (int h = 0; h < 10; h++) {
        m.headers.put("x-" + "h".repeat(60) + r + h, "v\u00e9\t\"'".repeat(51) + "v");
      }
      rules.add(m);
    }
    return rules;
  }

  static ModelDeploymentSpec canary(List<CanaryStep> steps) {
    ModelDeploymentSpec s = spec();
    s.strategy = new StrategySpec();
    s.strategy.type = StrategyType.Canary;
    s.strategy.canary = new CanarySpec();
    s.strategy.canary.steps = steps;
    return s;
  }

  static ModelDeploymentSpec withAuth(ModelDeploymentSpec s) {
    s.auth = new AuthSpec();
    s.auth.apiKeySecretRef = new SecretKeyRef();
    s.auth.apiKeySecretRef.name = "k".repeat(63) + "." + "k".repeat(63) + "." + "k".repeat(125);
    s.auth.apiKeySecretRef.key = "K._-".repeat(63) + "k";
    return s;
  }

  /** Every object the pure parts build for this ModelDeployment, as the reconciler would. */
  static List<HasMetadata> desired(ModelDeployment md, String candidate) {
    String image = "registry.example/" + "i".repeat(400) + ":1";
    String stable = Revisions.of(md.getSpec(), image);
    List<HasMetadata> out = new ArrayList<>();
    out.add(DesiredObjects.card(md, stable));
    out.add(DesiredObjects.service(md));
    out.add(DesiredObjects.deployment(md, stable, 1000, image, 30));
    out.add(RouterObjects.deployment(md, image));
    out.add(RouterObjects.service(md));
    out.add(RouterObjects.previewService(md));
    out.add(RouterObjects.token(md, "t".repeat(64)));
    List<String> endpoints = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      endpoints.add("10.244." + i / 250 + "." + i % 250 + ":8080");
    }
    var canary = md.getSpec().strategy == null ? null : md.getSpec().strategy.canary;
    TrafficTable table =
        TrafficTable.of(
            stable,
            candidate,
            Map.of(stable, endpoints, candidate, endpoints),
            100,
            canary == null ? null : canary.match,
            100);
    out.add(RouterObjects.table(md, table.versioned(null, Long.MAX_VALUE - 1)));
    if (GatewayObjects.applies(md.getSpec())) {
      out.add(GatewayObjects.revisionService(md, stable));
      out.add(GatewayObjects.revisionService(md, candidate));
      out.add(
          GatewayObjects.route(md, stable, candidate, 100, canary == null ? null : canary.match));
    }
    return out;
  }

  @Test
  void theLargestSpecTheSchemaAdmitsGivesObjectsTheApiServerAccepts() {
    ModelDeploymentSpec s = withAuth(canary(mostSteps()));
    s.model.inputs = mostInputs();
    s.model.outputs = new OutputSpec();
    s.model.outputs.labels = mostLabels("ẞ");
    s.strategy.canary.match = mostRules();
    s.replicas = 1000;
    s.progressDeadlineSeconds = 86400;
    ModelDeployment md = md(NAME_45, s);

    assertThat(Preflight.spec(s, true)).isNull();
    List<HasMetadata> objects = desired(md, "0123456789");
    assertThat(KubernetesLimits.problems(objects)).isEmpty();
    assertThat(objects)
        .extracting(o -> o.getMetadata().getName())
        .contains(NAME_45 + "-router-token", NAME_45 + "-preview", NAME_45 + "-router");
  }

  @Test
  void theModelCardOfTheLargestSpecFitsItsConfigMapAndReadsBackUnchanged() throws Exception {
    ModelSpec model = spec().model;
    model.inputs = mostInputs();
    model.outputs = new OutputSpec();
    model.outputs.labels = mostLabels("\u00e9");
    String card = ModelCards.yaml(model);
    assertThat(card.getBytes(StandardCharsets.UTF_8).length).isLessThan(1024 * 1024);

    // The runtime reads the card with the same YAML parser: every name, bound and label must come
    // back as the spec wrote it, not as YAML's look-alikes (null, true, numbers).
    JsonNode read = YAML.readTree(card);
    assertThat(read.path("version").isTextual()).isTrue();
    for (int i = 0; i < model.inputs.size(); i++) {
      InputSpec in = model.inputs.get(i);
      JsonNode f = read.path("inputs").get(i);
      assertThat(f.path("name").textValue()).isEqualTo(in.name);
      if (in.min != null) {
        assertThat(f.path("min").isNumber()).as(in.name).isTrue();
        assertThat(f.path("min").doubleValue()).isEqualTo(in.min);
        assertThat(f.path("max").doubleValue()).isEqualTo(in.max);
      }
      if (in.defaultValue != null) {
        assertThat(f.path("default")).isEqualTo(in.defaultValue);
      }
    }
    List<String> labels = new ArrayList<>();
    read.path("outputs").path("labels").forEach(l -> labels.add(l.textValue()));
    assertThat(labels).isEqualTo(model.outputs.labels);
  }

  @Test
  void aCardTooLargeForAConfigMapIsRefusedNamingTheModel() {
    // Control characters are written escaped, four bytes each: labels the schema admits can then
    // make a card of more than a MiB.
    ModelDeploymentSpec s = spec();
    s.model.inputs = mostInputs();
    s.model.outputs = new OutputSpec();
    s.model.outputs.labels = mostLabels("\u0001");
    Failure f = Preflight.spec(s, false);
    assertThat(f.reason()).isEqualTo("InvalidSpec");
    assertThat(f.message())
        .startsWith("spec.model: the model card written from it is ")
        .contains("bytes, more than the 1048576 a ConfigMap holds");

    // So can string defaults, which the schema cannot bound (they are schemaless).
    ModelDeploymentSpec d = spec();
    InputSpec in = new InputSpec();
    in.name = "a";
    in.type = FeatureType.STRING;
    in.required = false;
    in.defaultValue = JsonNodeFactory.instance.textNode("x".repeat(1024 * 1024));
    d.model.inputs = List.of(in);
    assertThat(Preflight.spec(d, false).message()).startsWith("spec.model: the model card");
  }

  @Test
  void hostileValuesAreShortenedInMessagesThatNameTheirField() {
    String huge = "\ud83d\ude00".repeat(50_000);
    ModelDeploymentSpec labels = spec();
    labels.model.outputs = new OutputSpec();
    labels.model.outputs.labels = List.of(huge, huge);
    assertMessage(Preflight.spec(labels, false), "spec.model.outputs.labels[1]: duplicate label");

    ModelDeploymentSpec header = canary(List.of(weight(10)));
    MatchRule m = new MatchRule();
    m.headers = Map.of("x".repeat(100_000), "v");
    header.strategy.canary.match = List.of(m);
    assertMessage(Preflight.spec(header, false), "spec.strategy.canary.match[0].headers: \"xxx");

    ModelDeploymentSpec host = canary(List.of(weight(10)));
    host.traffic = new TrafficSpec();
    host.traffic.provider = TrafficProvider.GatewayAPI;
    host.traffic.hostnames = List.of("Ü".repeat(100_000));
    assertMessage(Preflight.spec(host, true), "spec.traffic.hostnames[0]: \"ÜÜ");

    ModelDeploymentSpec dflt = spec();
    InputSpec in = new InputSpec();
    in.name = "a";
    in.required = false;
    in.defaultValue = JsonNodeFactory.instance.textNode(huge);
    dflt.model.inputs = List.of(in);
    assertMessage(Preflight.spec(dflt, false), "spec.model.inputs[0].default: must be a float");

    // Whatever the message, the status keeps at most what a Kubernetes condition may hold.
    String capped = StatusBuilder.capped(huge);
    assertThat(capped).hasSizeLessThanOrEqualTo(StatusBuilder.MAX_MESSAGE).endsWith("…");
    assertThat(Character.isHighSurrogate(capped.charAt(capped.length() - 2))).isFalse();
  }

  @Test
  void headerNamesThatDifferOnlyInCaseAreOneHeader() {
    ModelDeploymentSpec s = canary(List.of(weight(10)));
    MatchRule m = new MatchRule();
    m.headers = new java.util.TreeMap<>(Map.of("X-Group", "a", "x-group", "b"));
    s.strategy.canary.match = List.of(m);
    assertThat(Preflight.spec(s, false).message())
        .isEqualTo(
            "spec.strategy.canary.match[0].headers: \"X-Group\" and \"x-group\" are the same"
                + " header (names are case-insensitive)");
  }

  @Test
  void theLimitsCheckerCatchesWhatTheApiServerRefuses() {
    ModelDeployment md = md(NAME_45, spec());
    var service = DesiredObjects.service(md);
    service.getMetadata().setName("s".repeat(64));
    service.getMetadata().getLabels().put("modelship.io/name", "v".repeat(64));
    var card = DesiredObjects.card(md, "r");
    card.setData(Map.of("model.yaml", "x".repeat(1024 * 1024 + 1)));
    var deployment = DesiredObjects.deployment(md, "r", 1, " image", 30);
    assertThat(KubernetesLimits.problems(List.of(service, card, deployment)))
        .anyMatch(p -> p.contains("name must be a DNS label"))
        .anyMatch(p -> p.contains("is not a label value"))
        .anyMatch(p -> p.contains("more than 1 MiB"))
        .anyMatch(p -> p.contains("surrounding spaces"));
  }

  static void assertMessage(Failure f, String start) {
    assertThat(f).isNotNull();
    assertThat(f.reason()).isEqualTo("InvalidSpec");
    assertThat(f.message()).startsWith(start).hasSizeLessThan(300).contains("characters)");
  }

  @Test
  void resourcesTheApiServerWouldRefuseAreDegradedNamingTheField() {
    Map<String, String> refused =
        new LinkedHashMap<>(
            Map.of(
                "cpu=lots",
                "spec.runtime.resources.limits[cpu]: must be a non-negative quantity such as"
                    + " 500m, 2, 256Mi or 1Gi (got \"lots\")",
                "memory=-1Gi",
                "spec.runtime.resources.limits[memory]: must be a non-negative quantity",
                "memory=1e1000000",
                "spec.runtime.resources.limits[memory]: must be a non-negative quantity",
                "memory= 1Gi",
                "spec.runtime.resources.limits[memory]: must be a non-negative quantity",
                "gpu=1",
                "spec.runtime.resources.limits[gpu]: not a resource a container can ask for",
                "requests.cpu=1",
                "spec.runtime.resources.limits[requests.cpu]: not a resource"));
    refused.forEach(
        (limit, message) -> {
          String[] kv = limit.split("=", 2);
          ResourceRequirements r = new ResourceRequirements();
          r.setLimits(Map.of(kv[0], new Quantity(kv[1])));
          assertThat(Preflight.resources(r)).as(limit).isNotNull();
          assertThat(Preflight.resources(r).message()).as(limit).startsWith(message);
        });

    assertThat(
            Preflight.resources(
                    new ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity("2"))
                        .addToLimits("cpu", new Quantity("1500m"))
                        .build())
                .message())
        .isEqualTo("spec.runtime.resources.requests[cpu]: 2 is more than the limit 1500m");
    assertThat(
            Preflight.resources(
                    new ResourceRequirementsBuilder()
                        .addToRequests("example.com/gpu", new Quantity("1"))
                        .build())
                .message())
        .startsWith("spec.runtime.resources.requests[example.com/gpu]: 1 must equal the limit");
    ResourceRequirements claims = new ResourceRequirements();
    claims.setClaims(List.of(new io.fabric8.kubernetes.api.model.ResourceClaim("gpu", null)));
    assertThat(Preflight.resources(claims).message()).startsWith("spec.runtime.resources.claims:");

    // What Kubernetes accepts passes, in every notation it has.
    ResourceRequirements fine =
        new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("250m"))
            .addToRequests("memory", new Quantity("1e9"))
            .addToRequests("example.com/gpu", new Quantity("2"))
            .addToRequests("hugepages-2Mi", new Quantity("64Mi"))
            .addToLimits("cpu", new Quantity(".5"))
            .addToLimits("memory", new Quantity("1.5Gi"))
            .addToLimits("ephemeral-storage", new Quantity("10G"))
            .addToLimits("example.com/gpu", new Quantity("2"))
            .addToLimits("hugepages-2Mi", new Quantity("64Mi"))
            .build();
    assertThat(Preflight.resources(fine)).isNull();
  }

  @Test
  void durationsOfCenturiesOrOfThousandsOfPartsParseWithoutOverflow() {
    Duration d = Durations.parse("99999999999999999999999999h", null);
    assertThat(d).isPositive();
    assertThat(T0.plus(d)).isAfter(T0);
    assertThat(Durations.parse("0.0001ms", null)).isZero();
    // Longer than the schema's 32 characters: a CRD installed before that bound let it in, and
    // matching it with one regular expression overflowed the stack.
    assertThat(Durations.parse("1h".repeat(50_000), null)).isEqualTo(Duration.ofHours(50_000));
    assertThatThrownBy(() -> Durations.parse("1h".repeat(50_000) + "x", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a duration: 1h1h");
    assertThatThrownBy(() -> Durations.parse("", null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fiftyStepsWithPausesOfCenturiesWaitWithoutOverflowAtEveryStep() {
    List<CanaryStep> steps = mostSteps();
    List<Integer> weights = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      for (Instant now : List.of(T0, T0.plusSeconds(1), T0.plus(Duration.ofDays(365 * 100)))) {
        CanarySteps.Result r =
            CanarySteps.next(
                new CanarySteps.Input(
                    steps,
                    new CanarySteps.State(i, T0, 0),
                    now,
                    1000,
                    1000,
                    Analysis.Outcome.PASS,
                    List.of(),
                    100,
                    false));
        assertThat(r.weight()).isBetween(0, 100);
        assertThat(r.candidateReplicas()).isBetween(0, 1000);
        if (r.requeueAfter() != null) {
          assertThat(now.plus(r.requeueAfter())).isAfterOrEqualTo(now);
        }
        if (steps.get(i).pause != null) {
          // A pause of 10^26 hours: still waiting a century later, until promoted.
          assertThat(r.outcome()).isEqualTo(CanarySteps.Outcome.WAIT);
          assertThat(r.state().step()).isEqualTo(i);
        }
        if (now.equals(T0)) {
          weights.add(r.weight());
        }
      }
    }
    assertThat(weights).isSorted().last().isEqualTo(100);
  }

  @Test
  void aTimedWaitSaysTheSameAtEveryReconcileSoTheStatusIsNotRewritten() {
    // A routed rollout reconciles every 2 s; a message that counted down the seconds left made a
    // new status, and a status write, at each of them for as long as a pause lasted.
    List<String> canary = new ArrayList<>();
    List<String> shadow = new ArrayList<>();
    List<String> blueGreen = new ArrayList<>();
    for (Instant now : List.of(T0.plusMillis(1500), T0.plusSeconds(3), T0.plusSeconds(45))) {
      canary.add(
          CanarySteps.next(
                  new CanarySteps.Input(
                      List.of(weight(10), pause("1h")),
                      new CanarySteps.State(1, T0, 0),
                      now,
                      10,
                      1,
                      null,
                      List.of(),
                      0,
                      false))
              .message());
      shadow.add(
          io.modelship.operator.strategy.ShadowSteps.next(
                  new io.modelship.operator.strategy.ShadowSteps.Input(
                      10, 10, 100, Duration.ofMinutes(10), T0, now, Gate.NONE, false))
              .message());
      blueGreen.add(
          io.modelship.operator.strategy.BlueGreenSteps.next(
                  new io.modelship.operator.strategy.BlueGreenSteps.Input(
                      10, 10, T0, now, 600, Gate.NONE, false))
              .message());
    }
    assertThat(canary).containsOnly("step 2/2: paused at 10 % until 2026-11-25T11:00:00Z");
    assertThat(shadow).containsOnly("mirroring 100 % of requests until 2026-11-25T10:10:00Z");
    assertThat(blueGreen)
        .containsOnly("preview ready; promoted automatically at 2026-11-25T10:10:00Z");
  }

  @Test
  void weightsAtTheEdgesRollOutAndPromote() {
    for (List<CanaryStep> steps :
        List.of(
            List.of(weight(0)),
            List.of(weight(100)),
            List.of(weight(0), weight(0), weight(100), weight(100)),
            List.of(analysis(null)),
            List.of(pause("0s"), weight(100), pause("0.0001ms")))) {
      Decision d = canaryDecision(steps, null, RevisionState.absent("v2"));
      for (int round = 0; round < 20 && !d.plan().complete(); round++) {
        int want = d.plan().replicas().getOrDefault("v2", 0);
        assertThat(d.candidateWeight()).isBetween(0, 100);
        d = canaryDecision(steps, d.canary(), new RevisionState("v2", want, want, want, null));
      }
      assertThat(d.plan().complete()).as("steps %s", steps.size()).isTrue();
      assertThat(d.stable()).isEqualTo("v2");
    }
  }

  static Decision canaryDecision(
      List<CanaryStep> steps, CanarySteps.State state, RevisionState candidate) {
    RevisionState stable = new RevisionState("v1", 1000, 1000, 1000, null);
    return Decider.decide(
        new Decider.Input(
            new RolloutInput("v2", "v1", 1000, List.of(stable, candidate), null),
            StrategyType.Canary,
            null,
            null,
            null,
            false,
            Decider.Action.NONE,
            null,
            new Decider.Canary(
                steps, state, T0, new Gate(Analysis.Outcome.PASS, List.of(), 0, 0))));
  }

  @Test
  void rollingUpdateBoundsAtTheirLimitsNeverOverflow() {
    for (RollingUpdateSpec bounds :
        List.of(
            rolling(new IntOrString(1000), new IntOrString(1000)),
            rolling(new IntOrString("100%"), new IntOrString("100%")),
            rolling(new IntOrString(0), new IntOrString(1000)),
            rolling(new IntOrString(1000), new IntOrString(0)))) {
      RevisionState old = new RevisionState("v1", 1000, 1000, 1000, null);
      RevisionState next = RevisionState.absent("v2");
      for (int round = 0; round < 50; round++) {
        Decision d =
            Decider.decide(
                new Decider.Input(
                    new RolloutInput("v2", "v1", 1000, List.of(old, next), bounds),
                    StrategyType.RollingUpdate,
                    null,
                    null,
                    null,
                    false,
                    Decider.Action.NONE,
                    null));
        int total = d.plan().replicas().values().stream().mapToInt(Integer::intValue).sum();
        assertThat(d.plan().replicas().values()).allMatch(n -> n >= 0 && n <= 2000);
        assertThat(total).isBetween(0, 2000);
        if (d.plan().complete()) {
          break;
        }
        int o = d.plan().replicas().getOrDefault("v1", 0);
        int n = d.plan().replicas().getOrDefault("v2", 0);
        old = new RevisionState("v1", o, o, o, null);
        next = new RevisionState("v2", n, n, n, null);
      }
      assertThat(next.readyReplicas()).isEqualTo(1000);
    }
  }

  static RollingUpdateSpec rolling(IntOrString surge, IntOrString unavailable) {
    RollingUpdateSpec r = new RollingUpdateSpec();
    r.maxSurge = surge;
    r.maxUnavailable = unavailable;
    return r;
  }

  @Test
  void theSpecAtEverySchemaLimitInE2eIsRefusedOnlyForWhatThisVersionLacks() throws Exception {
    // e2e/valid/at-the-limits.yaml is what the real API server admits at every bound.
    ModelDeployment md =
        YAML.readValue(
            Files.readString(Path.of("../e2e/valid/at-the-limits.yaml")), ModelDeployment.class);
    md.getMetadata().setNamespace("ml");
    md.getMetadata().setUid("u-1");
    assertThat(md.getMetadata().getName()).hasSize(45);
    Failure f = Preflight.spec(md.getSpec(), false);
    assertThat(f.message()).startsWith("spec.analysis and canary analysis steps need");
    md.getSpec().analysis = null;
    md.getSpec().strategy.canary.steps =
        md.getSpec().strategy.canary.steps.stream().filter(st -> st.analysis == null).toList();
    assertThat(Preflight.spec(md.getSpec(), true)).isNull();
    List<HasMetadata> objects = desired(md, "0123456789");
    assertThat(KubernetesLimits.problems(objects)).isEmpty();
  }

  @Test
  void aGatewayRouteWithEveryHostnameParentAndRuleTheSchemaAllowsIsValid() {
    ModelDeploymentSpec s = canary(List.of(weight(0), weight(100)));
    s.strategy.canary.match = mostRules();
    s.traffic = new TrafficSpec();
    s.traffic.provider = TrafficProvider.GatewayAPI;
    s.traffic.parentRefs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ParentRef p = new ParentRef();
      p.name = "g".repeat(250) + i;
      p.namespace = "n".repeat(63);
      p.sectionName = "s".repeat(253);
      s.traffic.parentRefs.add(p);
    }
    s.traffic.hostnames = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      s.traffic.hostnames.add(
          (i == 0 ? "*." : "") + ("h" + i + "x".repeat(59)).substring(0, 61) + ".example.com");
    }
    assertThat(Preflight.spec(s, true)).isNull();
    assertThat(KubernetesLimits.problems(desired(md(NAME_45, s), "0123456789"))).isEmpty();
  }

  @Test
  void everyPhaseOfTheLargestSpecIsExplainedWithinAConditionsLimits() {
    ModelDeploymentSpec s = canary(mostSteps());
    s.model.outputs = new OutputSpec();
    s.model.outputs.labels = List.of("same", "same");
    ModelDeployment md = md(NAME_45, s);
    Decision d =
        Decider.decide(
            new Decider.Input(
                new RolloutInput("v2", "v1", 3, List.of(), null),
                StrategyType.Canary,
                null,
                Preflight.spec(s, true),
                null,
                false,
                Decider.Action.NONE,
                null));
    assertThat(d.plan().phase()).isEqualTo(Phase.Degraded);
    var status = StatusBuilder.build(md, d, null, "http://x", T0.toString());
    assertThat(status.conditions)
        .filteredOn(c -> c.getType().equals("Degraded"))
        .singleElement()
        .satisfies(c -> assertThat(c.getMessage()).startsWith("spec.model.outputs.labels[1]"));
  }
}
