package io.modelship.operator.reconciler;

import static io.modelship.operator.reconciler.AdversarialSpecTest.NAME_45;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.OutputSpec;
import io.modelship.operator.api.Phase;
import io.modelship.operator.api.StrategySpec;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.desired.Labels;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The specs of {@link AdversarialSpecTest} through the running reconciler, against fabric8's mock
 * API server (CRUD mode, no controllers: the test plays the kubelet). Each ends serving with
 * objects the API server accepts, or Degraded with the field named; nothing in the operator's log
 * is an exception; and a reconcile that finds nothing changed writes nothing.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class AdversarialReconcileTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final AtomicInteger NS = new AtomicInteger();
  static final String RECONCILER = ModelDeploymentReconciler.class.getName();

  @Inject KubernetesClient client;
  @KubernetesTestServer KubernetesServer server;

  LogCapture log;
  final List<String> namespaces = new ArrayList<>();

  @BeforeEach
  void captureLog() {
    log = LogCapture.start();
  }

  @AfterEach
  void nothingFailed() {
    try {
      assertThat(log.failures())
          .as("errors and exceptions in the operator's log about these ModelDeployments")
          .filteredOn(l -> namespaces.stream().anyMatch(l::contains))
          .isEmpty();
    } finally {
      log.close();
    }
  }

  String namespace() {
    String ns = "hostile-" + NS.incrementAndGet();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    namespaces.add(ns);
    return ns;
  }

  ModelDeployment create(String ns, ModelDeploymentSpec spec) {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(new ObjectMetaBuilder().withName(NAME_45).withNamespace(ns).build());
    md.setSpec(spec);
    return client.resource(md).create();
  }

  ModelDeployment md(String ns) {
    return client.resources(ModelDeployment.class).inNamespace(ns).withName(NAME_45).get();
  }

  ModelDeployment awaitPhase(String ns, Phase... phases) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              ModelDeployment md = md(ns);
              assertThat(md.getStatus()).isNotNull();
              assertThat(md.getStatus().observedGeneration)
                  .isEqualTo(md.getMetadata().getGeneration());
              assertThat(md.getStatus().phase).isIn((Object[]) phases);
            });
    return md(ns);
  }

  String degraded(ModelDeployment md) {
    return md.getStatus().conditions.stream()
        .filter(c -> c.getType().equals("Degraded") && c.getStatus().equals("True"))
        .map(c -> c.getReason() + ": " + c.getMessage())
        .findFirst()
        .orElse(null);
  }

  /** What the Deployment controller and kubelet would report: every pod ready. */
  void markReady(String ns, Deployment d) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Deployment now = client.apps().deployments().inNamespace(ns).resource(d).get();
      DeploymentStatus s = new DeploymentStatus();
      s.setReplicas(now.getSpec().getReplicas());
      s.setReadyReplicas(now.getSpec().getReplicas());
      s.setAvailableReplicas(now.getSpec().getReplicas());
      now.setStatus(s);
      try {
        client.apps().deployments().inNamespace(ns).resource(now).updateStatus();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
  }

  /** Every object the operator wrote in the namespace. */
  List<HasMetadata> written(String ns) {
    String selector = Labels.MANAGED_BY;
    List<HasMetadata> all = new ArrayList<>();
    all.addAll(client.apps().deployments().inNamespace(ns).withLabel(selector).list().getItems());
    all.addAll(client.services().inNamespace(ns).withLabel(selector).list().getItems());
    all.addAll(client.configMaps().inNamespace(ns).withLabel(selector).list().getItems());
    all.addAll(client.secrets().inNamespace(ns).withLabel(selector).list().getItems());
    return all;
  }

  static ModelDeploymentSpec largest(StrategyType type) {
    ModelDeploymentSpec s = AdversarialSpecTest.spec();
    s.model.inputs = AdversarialSpecTest.mostInputs();
    s.model.outputs = new OutputSpec();
    s.model.outputs.labels = AdversarialSpecTest.mostLabels("ẞ");
    s.replicas = 1000;
    s.progressDeadlineSeconds = 86400;
    s.strategy = new StrategySpec();
    s.strategy.type = type;
    if (type == StrategyType.Canary) {
      s.strategy.canary = new io.modelship.operator.api.CanarySpec();
      s.strategy.canary.steps = AdversarialSpecTest.mostSteps();
      s.strategy.canary.match = AdversarialSpecTest.mostRules();
    }
    return s;
  }

  @Test
  void theLargestSpecsServeWithObjectsTheApiServerAccepts() {
    for (StrategyType type : List.of(StrategyType.RollingUpdate, StrategyType.Canary)) {
      String ns = namespace();
      ModelDeploymentSpec spec = AdversarialSpecTest.withAuth(largest(type));
      client
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName(spec.auth.apiKeySecretRef.name)
                  .withNamespace(ns)
                  .endMetadata()
                  .withStringData(Map.of(spec.auth.apiKeySecretRef.key, "k".repeat(32)))
                  .build())
          .create();
      create(ns, spec);
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .until(() -> !client.apps().deployments().inNamespace(ns).list().getItems().isEmpty());
      markReady(ns, client.apps().deployments().inNamespace(ns).list().getItems().get(0));
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .until(() -> md(ns).getStatus().stableRevision != null);
      if (type == StrategyType.Canary) {
        // The router's objects follow the first stable revision.
        await()
            .atMost(WAIT)
            .until(
                () ->
                    client.apps().deployments().inNamespace(ns).withName(NAME_45 + "-router").get()
                        != null);
      }
      List<HasMetadata> objects = written(ns);
      assertThat(objects).as(type.name()).hasSizeGreaterThanOrEqualTo(3);
      assertThat(KubernetesLimits.problems(objects)).as(type.name()).isEmpty();
      assertThat(degraded(md(ns))).as(type.name()).isNull();
    }
  }

  @Test
  void specsTheOperatorCannotRunAreDegradedWithTheFieldNamedAndWriteNoRevision() {
    Map<String, Supplier<ModelDeploymentSpec>> cases = new java.util.LinkedHashMap<>();
    cases.put(
        "InvalidSpec: spec.model: the model card written from it is ",
        () -> {
          ModelDeploymentSpec s = largest(StrategyType.RollingUpdate);
          s.model.outputs.labels = AdversarialSpecTest.mostLabels("\u0001");
          return s;
        });
    cases.put(
        "InvalidSpec: spec.runtime.resources.limits[cpu]: must be a non-negative quantity",
        () -> {
          ModelDeploymentSpec s = largest(StrategyType.Recreate);
          s.runtime = new io.modelship.operator.api.RuntimeSpec();
          s.runtime.resources = new ResourceRequirements();
          s.runtime.resources.setLimits(Map.of("cpu", new Quantity("2 cores")));
          return s;
        });
    cases.put(
        "InvalidSpec: spec.model.outputs.labels[1]: duplicate label",
        () -> {
          ModelDeploymentSpec s = largest(StrategyType.Canary);
          String huge = "\ud83d\ude00".repeat(50_000);
          s.model.outputs.labels = List.of(huge, huge);
          return s;
        });
    cases.put(
        "FeatureNotSupported: spec.analysis and canary analysis steps need traffic.provider Router",
        () -> {
          try {
            return AdversarialSpecTest.YAML
                .readValue(
                    Files.readString(Path.of("../e2e/valid/at-the-limits.yaml")),
                    ModelDeployment.class)
                .getSpec();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    cases.forEach(
        (expected, spec) -> {
          String ns = namespace();
          create(ns, spec.get());
          ModelDeployment md = awaitPhase(ns, Phase.Degraded);
          assertThat(degraded(md)).as(ns).startsWith(expected).hasSizeLessThan(400);
          assertThat(client.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
          assertThat(KubernetesLimits.problems(written(ns))).isEmpty();
        });
  }

  @Test
  void aDefaultNestedAsDeepAsTheApiServerAllowsIsReadAndRefusedNamingTheField() {
    // The API server decodes up to 10,000 levels; the schemaless default lets them all in. The
    // informer must still read the ModelDeployment: one it cannot read stops it for every one.
    String deep = "[".repeat(9_990) + "1" + "]".repeat(9_990);
    String json =
        "{\"apiVersion\":\"modelship.io/v1alpha1\",\"kind\":\"ModelDeployment\","
            + "\"metadata\":{\"name\":\"deep\",\"namespace\":\"ml\"},\"spec\":{\"model\":{"
            + "\"name\":\"m\",\"uri\":\"https://h/m.onnx\",\"inputs\":[{\"name\":\"a\","
            + "\"required\":false,\"default\":"
            + deep
            + "}]}}}";
    ModelDeployment md = client.getKubernetesSerialization().unmarshal(json, ModelDeployment.class);
    assertThat(md.getSpec().model.inputs.get(0).defaultValue.toString()).isEqualTo("[[[\"…\"]]]");
    assertThat(Preflight.spec(md.getSpec(), false).message())
        .isEqualTo("spec.model.inputs[0].default: must be a float value (got [[[\"…\"]]])");
    // Cut, it is hashed and written like any spec.
    assertThat(io.modelship.operator.revision.Revisions.of(md.getSpec(), "img")).hasSize(10);
    assertThat(client.getKubernetesSerialization().asJson(md)).contains("[[[\"…\"]]]");

    // A shallow one is kept as it is, and so is every scalar.
    ModelDeployment shallow =
        client
            .getKubernetesSerialization()
            .unmarshal(json.replace(deep, "[1,{\"b\":2}]"), ModelDeployment.class);
    assertThat(shallow.getSpec().model.inputs.get(0).defaultValue.toString())
        .isEqualTo("[1,{\"b\":2}]");
    assertThat(
            client
                .getKubernetesSerialization()
                .unmarshal(json.replace(deep, "0.5"), ModelDeployment.class)
                .getSpec()
                .model
                .inputs
                .get(0)
                .defaultValue
                .doubleValue())
        .isEqualTo(0.5);
  }

  @Test
  void aWriteTheApiServerRefusesIsDegradedWithItsMessageAndRetriedWithAGrowingDelay()
      throws Exception {
    // Not in `namespaces`: the exception in the log is this test's point.
    String ns = "refused-" + NS.incrementAndGet();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    String refusal =
        "Deployment.apps \"x\" is invalid: spec.template.spec.containers[0].resources.limits:"
            + " Invalid value: \"2 cores\": must be a quantity";
    server
        .expect()
        .post()
        .withPath("/apis/apps/v1/namespaces/" + ns + "/deployments")
        .andReturn(
            422,
            new io.fabric8.kubernetes.api.model.StatusBuilder()
                .withStatus("Failure")
                .withReason("Invalid")
                .withCode(422)
                .withMessage(refusal)
                .build())
        .always();
    ModelDeploymentSpec spec = AdversarialSpecTest.spec();
    spec.strategy = new StrategySpec();
    spec.strategy.type = StrategyType.Recreate;
    create(ns, spec);

    ModelDeployment md = awaitPhase(ns, Phase.Degraded);
    assertThat(degraded(md))
        .isEqualTo(
            "ReconcileFailed: reconcile failed, retried with a growing delay; the API server"
                + " answered 422 to the operator's request: "
                + refusal);
    assertThat(md.getStatus().conditions)
        .filteredOn(c -> c.getType().equals("Stalled"))
        .singleElement()
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
    String key = ns + "/" + NAME_45 + ": desired";
    long before = log.count(RECONCILER, key);
    Thread.sleep(8000);
    assertThat(log.count(RECONCILER, key) - before)
        .as("reconciles in 8 s: retried, but not in a loop")
        .isBetween(1L, 4L);
  }

  @Test
  void aReconcileThatFindsNothingChangedWritesNothing() throws Exception {
    String serving = namespace();
    create(serving, largest(StrategyType.RollingUpdate));
    await()
        .atMost(WAIT)
        .until(() -> !client.apps().deployments().inNamespace(serving).list().getItems().isEmpty());
    markReady(serving, client.apps().deployments().inNamespace(serving).list().getItems().get(0));
    awaitPhase(serving, Phase.Healthy);

    String degraded = namespace();
    ModelDeploymentSpec tooLarge = largest(StrategyType.Recreate);
    tooLarge.model.outputs.labels = AdversarialSpecTest.mostLabels("\u0001");
    create(degraded, tooLarge);
    awaitPhase(degraded, Phase.Degraded);

    // A routed rollout whose router never answers reconciles every 2 s.
    String routed = namespace();
    create(routed, largest(StrategyType.Canary));
    await()
        .atMost(WAIT)
        .until(() -> !client.apps().deployments().inNamespace(routed).list().getItems().isEmpty());
    markReady(routed, client.apps().deployments().inNamespace(routed).list().getItems().get(0));
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.apps().deployments().inNamespace(routed).withName(NAME_45 + "-router").get()
                    != null);

    // Wake each reconciler with an event that changes nothing it reads (a pod of no revision),
    // and see what it writes.
    for (String ns : List.of(serving, degraded, routed)) {
      assertThat(writesOnWake(ns, "POST", "/pods", () -> unrelatedPod(ns))).as(ns).isEmpty();
    }
  }

  void unrelatedPod(String ns) {
    client
        .pods()
        .inNamespace(ns)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("unrelated")
                .withLabels(Labels.of(NAME_45))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("c")
                .withImage("x")
                .endContainer()
                .endSpec()
                .build())
        .create();
  }

  /**
   * The write requests (anything but GET) the operator sends into namespace {@code ns} after {@code
   * wake} makes it reconcile once more; the wake's own request ({@code method}, a path ending with
   * {@code path}) is left out.
   */
  List<String> writesOnWake(String ns, String method, String path, Runnable wake)
      throws InterruptedException {
    String key = ns + "/" + NAME_45 + ": desired";
    // Let the operator settle: whatever it still had to write, it has written once this is quiet.
    for (int window = 0; !writes(ns, 3000).isEmpty(); window++) {
      assertThat(window).as("writes into %s that never stop", ns).isLessThan(10);
    }
    long before = log.count(RECONCILER, key);
    wake.run();
    await().atMost(WAIT).until(() -> log.count(RECONCILER, key) > before);
    List<String> requests = new ArrayList<>(writes(ns, 3000));
    String own =
        requests.stream()
            .filter(r -> r.startsWith(method + " ") && r.endsWith(path))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the wake's own request is missing"));
    requests.remove(own);
    return requests;
  }

  /** The write requests into {@code ns} that the mock API server receives in the next window. */
  List<String> writes(String ns, long windowMillis) throws InterruptedException {
    List<String> out = new ArrayList<>();
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(windowMillis);
    while (System.nanoTime() < end) {
      RecordedRequest r = server.getKubernetesMockServer().takeRequest(100, TimeUnit.MILLISECONDS);
      if (r != null
          && !r.getMethod().equals("GET")
          && r.getPath().contains("/namespaces/" + ns + "/")) {
        out.add(r.getMethod() + " " + r.getPath());
      }
    }
    return out;
  }
}
