package io.modelship.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.modelship.operator.api.ModelBatchJob;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BatchObjectsTest {
  static final String IMAGE = "ghcr.io/modelship/model-runtime:0.1.0";

  static ModelBatchJob example(String file) throws Exception {
    String yaml = Files.readString(Path.of("../examples", file));
    String doc =
        java.util.Arrays.stream(yaml.split("\n---\n"))
            .filter(d -> d.contains("kind: ModelBatchJob"))
            .findFirst()
            .orElseThrow();
    ModelBatchJob mbj = Serialization.unmarshal(doc, ModelBatchJob.class);
    mbj.getMetadata().setNamespace("ns");
    mbj.getMetadata().setUid("uid-1");
    return mbj;
  }

  static ModelBatchJob parse(String yaml) {
    ModelBatchJob mbj = Serialization.unmarshal(yaml, ModelBatchJob.class);
    mbj.getMetadata().setNamespace("ns");
    return mbj;
  }

  static Map<String, String> mounts(Container c) {
    return c.getVolumeMounts().stream()
        .collect(
            Collectors.toMap(
                VolumeMount::getMountPath, m -> m.getName() + (m.getReadOnly() ? ":ro" : ":rw")));
  }

  @Test
  void aRunOnceJobFetchesTheModelLikeAServingPodAndRunsTheBatchCommand() throws Exception {
    ModelBatchJob mbj = example("iris-batch.yaml");
    BatchModel model = BatchModel.of(mbj.getSpec().model, IMAGE);
    Job job = BatchObjects.job(mbj, model, IMAGE);

    assertThat(job.getMetadata().getName()).matches("iris-batch-[0-9a-f]{10}");
    assertThat(job.getMetadata().getOwnerReferences().get(0).getController()).isTrue();
    assertThat(job.getMetadata().getLabels()).containsEntry(BatchObjects.BATCH_JOB, "iris-batch");
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(1);
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(600L);
    assertThat(job.getSpec().getPodFailurePolicy().getRules().get(0).getOnExitCodes().getValues())
        .containsExactly(2, 3, 5);
    PodSpec pod = job.getSpec().getTemplate().getSpec();
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(BatchObjects.BATCH_JOB, "iris-batch")
        .doesNotContainKey(Labels.NAME); // that would make them a ModelDeployment's pods
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();

    // The same fetch init container a ModelDeployment with this model gets.
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(mbj.getMetadata());
    md.setSpec(new ModelDeploymentSpec());
    md.getSpec().model = mbj.getSpec().model;
    Deployment serving = DesiredObjects.deployment(md, "abc", 1, IMAGE, 30);
    assertThat(pod.getInitContainers())
        .containsExactlyElementsOf(serving.getSpec().getTemplate().getSpec().getInitContainers());
    assertThat(pod.getInitContainers().get(0).getArgs())
        .contains("--sha256", "8c0b5743a7870a00ce7fffb86db16334ad444b99b57aa97558e81e00f51ef209");

    Container batch = pod.getContainers().get(0);
    assertThat(batch.getName()).isEqualTo("batch");
    assertThat(batch.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(batch.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(batch.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(batch.getArgs())
        .containsExactly(
            "batch",
            "--model",
            "/models/model.onnx",
            "--card",
            "/etc/modelship/card/model.yaml",
            "--in",
            "/data/in",
            "--out",
            "/data/out/iris",
            "--summary",
            "/dev/termination-log",
            "--progress",
            "lines",
            "--batch-size",
            "256",
            "--max-rejected-fraction",
            "0.5");
    assertThat(mounts(batch))
        .containsEntry("/data/in", "input:ro")
        .containsEntry("/data/out", "output:rw")
        .containsEntry("/models", "model:ro")
        .containsEntry("/tmp", "tmp:rw");
    Map<String, Volume> volumes =
        pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
    assertThat(volumes.get("input").getConfigMap().getName()).isEqualTo("iris-batch-input");
    assertThat(volumes.get("input").getConfigMap().getItems().get(0).getKey())
        .isEqualTo("iris.csv");
    assertThat(volumes.get("output").getPersistentVolumeClaim().getClaimName())
        .isEqualTo("batch-output");
    assertThat(volumes.get("source").getConfigMap().getName()).isEqualTo("iris-model");
    assertThat(volumes.get("card").getConfigMap().getName()).isEqualTo("iris-batch-card");

    assertThat(BatchObjects.card(mbj, model).getData().get("model.yaml"))
        .isEqualTo(ModelCards.yaml(mbj.getSpec().model));
  }

  @Test
  void aChangedSpecIsANewJobAndTheSameSpecTheSameJob() throws Exception {
    ModelBatchJob a = example("iris-batch.yaml");
    ModelBatchJob b = example("iris-batch.yaml");
    assertThat(BatchObjects.jobName(a, IMAGE)).isEqualTo(BatchObjects.jobName(b, IMAGE));
    b.getSpec().batchSize = 64;
    assertThat(BatchObjects.jobName(a, IMAGE)).isNotEqualTo(BatchObjects.jobName(b, IMAGE));
    assertThat(BatchObjects.jobName(a, IMAGE)).isNotEqualTo(BatchObjects.jobName(a, "other:1"));
  }

  @Test
  void aScheduleIsACronJobThatNeverRunsTwoAtOnce() throws Exception {
    ModelBatchJob mbj = example("iris-batch-schedule.yaml");
    var deployment =
        new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .addNewInitContainer()
            .withName("fetch")
            .withImage(IMAGE)
            .withArgs("fetch", "--uri", "/source/iris.onnx", "--dest", "/models/model.onnx")
            .endInitContainer()
            .addNewVolume()
            .withName("source")
            .withNewConfigMap()
            .withName("iris-model")
            .endConfigMap()
            .endVolume()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    var card =
        new ConfigMapBuilder().withData(Map.of("model.yaml", "name: iris\nformat: onnx\n")).build();
    BatchModel model = BatchModel.serving("iris-rolling", "abc", deployment, card);
    assertThat(model.from()).isEqualTo("ModelDeployment iris-rolling, revision abc");

    CronJob cron = BatchObjects.cronJob(mbj, model, IMAGE);
    assertThat(cron.getMetadata().getName()).isEqualTo("iris-batch-schedule");
    assertThat(cron.getSpec().getSchedule()).isEqualTo("*/1 * * * *");
    assertThat(cron.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
    assertThat(cron.getSpec().getSuspend()).isFalse();
    assertThat(cron.getSpec().getSuccessfulJobsHistoryLimit()).isEqualTo(2);
    assertThat(cron.getSpec().getJobTemplate().getMetadata().getLabels())
        .containsEntry(BatchObjects.BATCH_JOB, "iris-batch-schedule");
    PodSpec pod = cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers().get(0).getArgs()).contains("/source/iris.onnx");
    assertThat(pod.getVolumes()).extracting(Volume::getName).contains("source", "input", "output");
    assertThat(BatchObjects.card(mbj, model).getData().get("model.yaml"))
        .isEqualTo("name: iris\nformat: onnx\n");
    // No key: every *.csv/*.jsonl key of the ConfigMap, as a directory.
    assertThat(pod.getVolumes().stream().filter(v -> v.getName().equals("input")).findFirst())
        .get()
        .satisfies(v -> assertThat(v.getConfigMap().getItems()).isNullOrEmpty());
  }

  @Test
  void withoutOutputPredictionsGoBesideTheInputOnTheSameClaim() {
    ModelBatchJob dir =
        parse(
            """
            apiVersion: modelship.io/v1alpha1
            kind: ModelBatchJob
            metadata: {name: d}
            spec:
              modelDeploymentRef: {name: iris}
              input:
                persistentVolumeClaim: {claimName: data, path: incoming/today/}
            """);
    BatchObjects.Paths p = BatchObjects.paths(dir.getSpec());
    assertThat(p)
        .isEqualTo(
            new BatchObjects.Paths("/data/in/incoming/today", "/data/out/incoming", null, true));

    ModelBatchJob file =
        parse(
            """
            apiVersion: modelship.io/v1alpha1
            kind: ModelBatchJob
            metadata: {name: f}
            spec:
              modelDeploymentRef: {name: iris}
              input:
                persistentVolumeClaim: {claimName: data, path: rows.JSONL}
            """);
    assertThat(BatchObjects.paths(file.getSpec()))
        .isEqualTo(
            new BatchObjects.Paths(
                "/data/in/rows.JSONL",
                "/data/out/rows.predictions.JSONL",
                "/data/out/rows.rejects.jsonl",
                true));
    BatchModel model = new BatchModel(new Container(), null, "name: iris\n", "spec.model");
    PodSpec pod = BatchObjects.job(file, model, IMAGE).getSpec().getTemplate().getSpec();
    // One claim: one volume, read-only for the input and writable for the output.
    assertThat(pod.getVolumes())
        .extracting(Volume::getName)
        .containsExactly("model", "tmp", "card", "input");
    assertThat(mounts(pod.getContainers().get(0)))
        .containsEntry("/data/in", "input:ro")
        .containsEntry("/data/out", "input:rw");
    assertThat(pod.getContainers().get(0).getArgs())
        .containsSequence("--rejects", "/data/out/rows.rejects.jsonl");
  }

  @Test
  void anOutputOnAnotherClaimIsItsOwnVolume() {
    ModelBatchJob mbj =
        parse(
            """
            apiVersion: modelship.io/v1alpha1
            kind: ModelBatchJob
            metadata: {name: o}
            spec:
              modelDeploymentRef: {name: iris}
              input:
                persistentVolumeClaim: {claimName: data, path: "."}
              output:
                persistentVolumeClaim: {claimName: results, path: "."}
            """);
    assertThat(BatchObjects.paths(mbj.getSpec()))
        .isEqualTo(new BatchObjects.Paths("/data/in", "/data/out", null, false));
    List<String> volumes =
        BatchObjects.job(mbj, new BatchModel(new Container(), null, "", "x"), IMAGE)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getVolumes()
            .stream()
            .map(
                v ->
                    v.getName()
                        + "="
                        + (v.getPersistentVolumeClaim() == null
                            ? ""
                            : v.getPersistentVolumeClaim().getClaimName()
                                + ":"
                                + v.getPersistentVolumeClaim().getReadOnly()))
            .toList();
    assertThat(volumes).contains("input=data:true", "output=results:false");
  }
}
