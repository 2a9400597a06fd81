package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.modelship.operator.api.BatchPhase;
import io.modelship.operator.api.ModelBatchJob;
import io.modelship.operator.desired.BatchObjects;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The ModelBatchJob controller against fabric8's mock API server: there is no Job controller or
 * kubelet, so the tests play them (a pod with a termination message, the Job's conditions).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ModelBatchJobReconcilerTest {
  // Generous: on a loaded 2-core machine a reconcile through the mock API server took over 20 s.
  static final Duration WAIT = Duration.ofSeconds(60);
  static final AtomicInteger NS = new AtomicInteger();

  @Inject KubernetesClient client;
  String ns;

  void newNamespace() {
    ns = "b" + NS.incrementAndGet();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
  }

  ModelBatchJob example() throws Exception {
    String yaml = Files.readString(Path.of("../examples/iris-batch.yaml"));
    ModelBatchJob mbj =
        Serialization.unmarshal(
            yaml.substring(yaml.indexOf("apiVersion: modelship.io")), ModelBatchJob.class);
    mbj.getMetadata().setNamespace(ns);
    return mbj;
  }

  ModelBatchJob mbj(String name) {
    return client.resources(ModelBatchJob.class).inNamespace(ns).withName(name).get();
  }

  /** The status, once written (an assertion, so that awaitility waits for it). */
  io.modelship.operator.api.ModelBatchJobStatus status(String name) {
    ModelBatchJob m = mbj(name);
    assertThat(m.getStatus()).as("status of %s", name).isNotNull();
    return m.getStatus();
  }

  List<Job> jobs() {
    return client.batch().v1().jobs().inNamespace(ns).list().getItems();
  }

  void inputsExist() {
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("iris-batch-input")
                .withNamespace(ns)
                .endMetadata()
                .withData(Map.of("iris.csv", "sepal_length\n1\n"))
                .build())
        .create();
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("iris-model")
                .withNamespace(ns)
                .endMetadata()
                .withData(Map.of("iris.onnx", "x"))
                .build())
        .create();
    client
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("batch-output")
                .withNamespace(ns)
                .endMetadata()
                .build())
        .create();
  }

  @Test
  void aRunWaitsForItsInputThenReportsTheFinishedPodsSummary() throws Exception {
    newNamespace();
    client.resource(example()).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(status("iris-batch").message)
                    .isEqualTo(
                        "spec.input.configMap: ConfigMap iris-batch-input not found in namespace "
                            + ns));
    assertThat(status("iris-batch").phase).isEqualTo(BatchPhase.Pending);
    assertThat(jobs()).isEmpty();

    inputsExist();
    // The operator looks again on its own (every 5 s while Pending).
    await().atMost(WAIT).until(() -> jobs().size() == 1);
    Job job = jobs().get(0);
    assertThat(job.getMetadata().getName()).startsWith("iris-batch-");
    assertThat(client.configMaps().inNamespace(ns).withName("iris-batch-card").get()).isNotNull();

    // Play the Job controller and the kubelet: the pod ran and wrote its summary.
    client
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(job.getMetadata().getName() + "-abcde")
                .withNamespace(ns)
                .withLabels(
                    Map.of(
                        BatchObjects.BATCH_JOB,
                        "iris-batch",
                        "batch.kubernetes.io/job-name",
                        job.getMetadata().getName()))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("batch")
                .withImage("x")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Succeeded")
                .addNewContainerStatus()
                .withName("batch")
                .withNewState()
                .withNewTerminated()
                .withExitCode(0)
                .withMessage(
                    "{\"rowsRead\":10,\"rowsPredicted\":7,\"rowsRejected\":3,\"files\":1,"
                        + "\"seconds\":0.4,\"rowsPerSecond\":24.5,\"outputs\":[\"/data/out/iris/iris.predictions.csv\"],"
                        + "\"rejects\":[\"/data/out/iris/iris.rejects.jsonl\"]}")
                .endTerminated()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build())
        .create();
    job.setStatus(
        new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
            .withStartTime("2026-12-05T19:00:00Z")
            .withCompletionTime("2026-12-05T19:00:05Z")
            .addNewCondition()
            .withType("Complete")
            .withStatus("True")
            .endCondition()
            .build());
    client.resource(job).updateStatus();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              var s = status("iris-batch");
              assertThat(s.phase).isEqualTo(BatchPhase.Succeeded);
              assertThat(s.lastRun.rowsRead).isEqualTo(10);
              assertThat(s.lastRun.rowsPredicted).isEqualTo(7);
              assertThat(s.lastRun.rowsRejected).isEqualTo(3);
              assertThat(s.lastRun.outputs).containsExactly("/data/out/iris/iris.predictions.csv");
            });
    assertThat(
            client.v1().events().inNamespace(ns).list().getItems().stream()
                .map(e -> e.getType() + " " + e.getReason()))
        .contains("Warning Pending", "Normal Succeeded");
  }

  @Test
  void aMissingModelDeploymentGetsAMessageAndNoJob() throws Exception {
    newNamespace();
    inputsExist();
    ModelBatchJob mbj = example();
    mbj.getSpec().model = null;
    mbj.getSpec().modelDeploymentRef = new io.modelship.operator.api.ModelDeploymentRef();
    mbj.getSpec().modelDeploymentRef.name = "nope";
    client.resource(mbj).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              var s = status("iris-batch");
              assertThat(s.message)
                  .isEqualTo(
                      "spec.modelDeploymentRef: ModelDeployment nope not found in namespace "
                          + ns
                          + "; create it, or give the model in spec.model");
              assertThat(s.conditions)
                  .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("ModelDeploymentNotFound"));
            });
    assertThat(jobs()).isEmpty();
  }

  @Test
  void aScheduleIsACronJobAndSuspendReachesIt() throws Exception {
    newNamespace();
    inputsExist();
    ModelBatchJob mbj = example();
    mbj.getSpec().schedule = "*/5 * * * *";
    client.resource(mbj).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(status("iris-batch").phase).isEqualTo(BatchPhase.Scheduled));
    assertThat(client.batch().v1().cronjobs().inNamespace(ns).withName("iris-batch").get())
        .isNotNull();
    assertThat(jobs()).isEmpty();
    // A merge patch carries no resourceVersion: an edit (read, then patch at that version) met a
    // conflict when the operator's status write came between the two.
    client
        .resources(ModelBatchJob.class)
        .inNamespace(ns)
        .withName("iris-batch")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":{\"suspend\":true}}");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(status("iris-batch").phase).isEqualTo(BatchPhase.Suspended);
              assertThat(
                      client
                          .batch()
                          .v1()
                          .cronjobs()
                          .inNamespace(ns)
                          .withName("iris-batch")
                          .get()
                          .getSpec()
                          .getSuspend())
                  .isTrue();
            });
  }
}
