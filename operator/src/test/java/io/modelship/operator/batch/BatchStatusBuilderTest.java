package io.modelship.operator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.modelship.operator.api.BatchPhase;
import io.modelship.operator.api.ModelBatchJob;
import io.modelship.operator.api.ModelBatchJobSpec;
import io.modelship.operator.api.ModelBatchJobStatus;
import io.modelship.operator.strategy.Failure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchStatusBuilderTest {
  static final String NOW = "2026-12-05T19:00:00Z";
  static final String SUMMARY =
      "{\"rowsRead\":10,\"rowsPredicted\":7,\"rowsRejected\":3,\"files\":1,\"seconds\":0.5,"
          + "\"rowsPerSecond\":20.0,\"outputs\":[\"/data/out/iris/iris.predictions.csv\"],"
          + "\"rejects\":[\"/data/out/iris/iris.rejects.jsonl\"]}";

  static ModelBatchJob mbj(String schedule) {
    ModelBatchJob m = new ModelBatchJob();
    m.setMetadata(
        new ObjectMetaBuilder().withName("b").withNamespace("ns").withGeneration(2L).build());
    m.setSpec(new ModelBatchJobSpec());
    m.getSpec().schedule = schedule;
    return m;
  }

  static Job job(String name, String condition, boolean byCron) {
    JobBuilder b =
        new JobBuilder()
            .withNewMetadata()
            .withName(name)
            .addNewOwnerReference()
            .withKind(byCron ? "CronJob" : "ModelBatchJob")
            .withName("b")
            .endOwnerReference()
            .endMetadata()
            .withNewStatus()
            .withStartTime("2026-12-05T18:59:00Z")
            .endStatus();
    if (condition != null) {
      b.editStatus()
          .addNewCondition()
          .withType(condition)
          .withStatus("True")
          .withReason(condition.equals("Failed") ? "PodFailurePolicy" : null)
          .withMessage(
              condition.equals("Failed") ? "Container batch failed with exit code 3" : null)
          .withLastTransitionTime("2026-12-05T18:59:30Z")
          .endCondition()
          .withCompletionTime(condition.equals("Complete") ? "2026-12-05T18:59:30Z" : null)
          .endStatus();
    }
    return b.build();
  }

  static Pod pod(String job, String phase, ContainerStatus batch, ContainerStatus fetch) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(job + "-x")
            .withCreationTimestamp("2026-12-05T18:59:00Z")
            .withLabels(Map.of("batch.kubernetes.io/job-name", job))
            .endMetadata()
            .withNewStatus()
            .withPhase(phase)
            .endStatus();
    if (batch != null) b.editStatus().withContainerStatuses(batch).endStatus();
    if (fetch != null) b.editStatus().withInitContainerStatuses(fetch).endStatus();
    return b.build();
  }

  static ContainerStatus terminated(String name, int code, String message) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withNewState()
        .withNewTerminated()
        .withExitCode(code)
        .withMessage(message)
        .endTerminated()
        .endState()
        .build();
  }

  static ContainerStatus running(String name) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withNewState()
        .withNewRunning()
        .withStartedAt(NOW)
        .endRunning()
        .endState()
        .build();
  }

  static ContainerStatus waiting(String name, String reason, String message) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withNewState()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .endState()
        .build();
  }

  static ModelBatchJobStatus build(
      ModelBatchJob m,
      Failure blocked,
      String desired,
      CronJob cron,
      List<Job> jobs,
      List<Pod> pods,
      ProgressLine progress) {
    return BatchStatusBuilder.build(
        new BatchStatusBuilder.Observed(m, blocked, desired, cron, jobs, pods, progress, NOW));
  }

  @Test
  void aFinishedRunReportsItsRowCountsAndFilesFromTheTerminationMessage() {
    ModelBatchJobStatus s =
        build(
            mbj(null),
            null,
            "b-1",
            null,
            List.of(job("b-1", "Complete", false)),
            List.of(pod("b-1", "Succeeded", terminated("batch", 0, SUMMARY), null)),
            null);
    assertThat(s.phase).isEqualTo(BatchPhase.Succeeded);
    assertThat(s.observedGeneration).isEqualTo(2L);
    assertThat(s.jobName).isEqualTo("b-1");
    assertThat(s.lastRun.result).isEqualTo(BatchPhase.Succeeded);
    assertThat(s.lastRun.rowsRead).isEqualTo(10);
    assertThat(s.lastRun.rowsPredicted).isEqualTo(7);
    assertThat(s.lastRun.rowsRejected).isEqualTo(3);
    assertThat(s.lastRun.rowsPerSecond).isEqualTo(20.0);
    assertThat(s.lastRun.rejects).containsExactly("/data/out/iris/iris.rejects.jsonl");
    assertThat(s.lastRun.startTime).isEqualTo("2026-12-05T18:59:00Z");
    assertThat(s.lastRun.completionTime).isEqualTo("2026-12-05T18:59:30Z");
    assertThat(s.lastRun.message).isNull();
    assertThat(s.message).isEqualTo("run b-1 finished: 7 rows predicted, 3 rejected");
    assertThat(s.conditions)
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Succeeded");
              assertThat(c.getStatus()).isEqualTo("True");
            });
  }

  @Test
  void aRunThatCannotServeTheModelFailsWithTheCommandsOwnWords() {
    ModelBatchJobStatus s =
        build(
            mbj(null),
            null,
            "b-1",
            null,
            List.of(job("b-1", "Failed", false)),
            List.of(
                pod(
                    "b-1",
                    "Failed",
                    terminated(
                        "batch",
                        3,
                        "cannot serve the model: the card declares 5 inputs, the model takes 4"),
                    null)),
            null);
    assertThat(s.phase).isEqualTo(BatchPhase.Failed);
    assertThat(s.lastRun.message)
        .isEqualTo(
            "the model or its card cannot be served (exit code 3): cannot serve the model: the"
                + " card declares 5 inputs, the model takes 4");
    assertThat(s.lastRun.completionTime).isEqualTo("2026-12-05T18:59:30Z");
    assertThat(s.message).startsWith("run b-1 failed: the model or its card cannot be served");
  }

  @Test
  void aModelWhoseShaDoesNotMatchFailsInTheFetchContainer() {
    ModelBatchJobStatus s =
        build(
            mbj(null),
            null,
            "b-1",
            null,
            List.of(job("b-1", "Failed", false)),
            List.of(
                pod("b-1", "Failed", null, terminated("fetch", 1, "sha256 mismatch: got 12ab"))),
            null);
    assertThat(s.lastRun.message)
        .isEqualTo(
            "fetching the model failed (container fetch, exit code 1): sha256 mismatch: got 12ab");
  }

  @Test
  void aRunningRunShowsItsProgressAndKeepsItBetweenLogReads() {
    ModelBatchJob m = mbj(null);
    ModelBatchJobStatus s =
        build(
            m,
            null,
            "b-1",
            null,
            List.of(job("b-1", null, false)),
            List.of(pod("b-1", "Running", running("batch"), null)),
            new ProgressLine(5000, 12, 40));
    assertThat(s.phase).isEqualTo(BatchPhase.Running);
    assertThat(s.progress.rows).isEqualTo(5000);
    assertThat(s.progress.rejected).isEqualTo(12);
    assertThat(s.progress.percent).isEqualTo(40);
    assertThat(s.message).isEqualTo("run b-1 under way: 5000 rows so far");
    m.setStatus(s);
    ModelBatchJobStatus again =
        build(
            m,
            null,
            "b-1",
            null,
            List.of(job("b-1", null, false)),
            List.of(pod("b-1", "Running", running("batch"), null)),
            null);
    assertThat(again.progress.rows).isEqualTo(5000);
    assertThat(BatchStatusBuilder.same(s, again)).isTrue();
  }

  @Test
  void aStartingRunSaysWhatItWaitsFor() {
    ModelBatchJobStatus s =
        build(
            mbj(null),
            null,
            "b-1",
            null,
            List.of(job("b-1", null, false)),
            List.of(
                pod(
                    "b-1",
                    "Pending",
                    null,
                    waiting("fetch", "ErrImageNeverPull", "image x not present"))),
            null);
    assertThat(s.phase).isEqualTo(BatchPhase.Pending);
    assertThat(s.message)
        .isEqualTo(
            "run b-1 is starting: container fetch waiting: ErrImageNeverPull (image x not present)");
  }

  @Test
  void aMissingModelDeploymentIsPendingWithTheReasonAndNoJob() {
    ModelBatchJobStatus s =
        build(
            mbj(null),
            new Failure(
                "ModelDeploymentNotFound",
                "spec.modelDeploymentRef: ModelDeployment iris not found in namespace ns"),
            "b-1",
            null,
            List.of(),
            List.of(),
            null);
    assertThat(s.phase).isEqualTo(BatchPhase.Pending);
    assertThat(s.message)
        .isEqualTo("spec.modelDeploymentRef: ModelDeployment iris not found in namespace ns");
    assertThat(s.conditions)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("ModelDeploymentNotFound");
            });
  }

  @Test
  void aScheduledJobIsScheduledRunningOrSuspendedAndKeepsItsLastRun() {
    CronJob cron =
        new CronJobBuilder()
            .withNewMetadata()
            .withName("b")
            .endMetadata()
            .withNewStatus()
            .withLastScheduleTime("2026-12-05T18:59:00Z")
            .endStatus()
            .build();
    ModelBatchJob m = mbj("*/1 * * * *");
    ModelBatchJobStatus s =
        build(
            m,
            null,
            null,
            cron,
            List.of(job("b-29001", "Complete", true), job("b-29002", null, true)),
            List.of(
                pod("b-29001", "Succeeded", terminated("batch", 0, SUMMARY), null),
                pod("b-29002", "Running", running("batch"), null)),
            new ProgressLine(3, 0, 30));
    assertThat(s.phase).isEqualTo(BatchPhase.Running);
    assertThat(s.jobName).isEqualTo("b-29002");
    assertThat(s.cronJobName).isEqualTo("b");
    assertThat(s.lastScheduleTime).isEqualTo("2026-12-05T18:59:00Z");
    assertThat(s.lastRun.jobName).isEqualTo("b-29001");
    assertThat(s.lastRun.rowsPredicted).isEqualTo(7);

    ModelBatchJobStatus idle =
        build(m, null, null, cron, List.of(job("b-29001", "Complete", true)), List.of(), null);
    assertThat(idle.phase).isEqualTo(BatchPhase.Scheduled);
    assertThat(idle.message)
        .isEqualTo("runs on schedule \"*/1 * * * *\"; last run b-29001 Succeeded");
    // Its pods are not seen and nothing was read before: the Job's own outcome, no counts.
    assertThat(idle.lastRun.result).isEqualTo(BatchPhase.Succeeded);
    assertThat(idle.lastRun.rowsPredicted).isNull();
    m.setStatus(s);
    ModelBatchJobStatus podsGone =
        build(m, null, null, cron, List.of(job("b-29001", "Complete", true)), List.of(), null);
    assertThat(podsGone.lastRun.rowsPredicted).isEqualTo(7);
    m.getSpec().suspend = true;
    ModelBatchJobStatus suspended = build(m, null, null, cron, List.of(), List.of(), null);
    assertThat(suspended.phase).isEqualTo(BatchPhase.Suspended);
    assertThat(suspended.lastRun.jobName).isEqualTo("b-29001");
  }
}
