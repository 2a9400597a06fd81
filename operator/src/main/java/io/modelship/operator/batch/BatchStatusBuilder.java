package io.modelship.operator.batch;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.modelship.operator.api.BatchPhase;
import io.modelship.operator.api.ModelBatchJob;
import io.modelship.operator.api.ModelBatchJobStatus;
import io.modelship.operator.api.ModelBatchJobStatus.BatchProgress;
import io.modelship.operator.api.ModelBatchJobStatus.BatchRun;
import io.modelship.operator.desired.BatchObjects;
import io.modelship.operator.reconciler.StatusBuilder;
import io.modelship.operator.strategy.Failure;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A ModelBatchJob's status from what was observed: its Job or CronJob, their pods (their phase and
 * termination messages) and the running pod's last progress line. Pure; in one place.
 */
public final class BatchStatusBuilder {

  private BatchStatusBuilder() {}

  /**
   * What was observed.
   *
   * @param blocked why no Job or CronJob can be made (a missing ModelDeployment, ConfigMap...), or
   *     null
   * @param desiredJob the Job a run-once ModelBatchJob should have, or null for a scheduled one
   * @param cronJob the observed CronJob of a scheduled one, or null
   * @param jobs the observed Jobs labelled with this ModelBatchJob
   * @param pods the observed pods labelled with this ModelBatchJob
   * @param progress the last progress line of the running pod's log, or null
   */
  public record Observed(
      ModelBatchJob resource,
      Failure blocked,
      String desiredJob,
      CronJob cronJob,
      List<Job> jobs,
      List<Pod> pods,
      ProgressLine progress,
      String now) {}

  public static ModelBatchJobStatus build(Observed o) {
    ModelBatchJob mbj = o.resource();
    ModelBatchJobStatus previous =
        mbj.getStatus() == null ? new ModelBatchJobStatus() : mbj.getStatus();
    boolean scheduled = mbj.getSpec().schedule != null;
    ModelBatchJobStatus s = new ModelBatchJobStatus();
    s.observedGeneration = mbj.getMetadata().getGeneration();
    s.lastRun = previous.lastRun;

    Job current;
    Job lastFinished;
    if (scheduled) {
      List<Job> runs =
          o.jobs().stream()
              .filter(BatchStatusBuilder::ownedByCronJob)
              .sorted(Comparator.comparing(j -> j.getMetadata().getName()))
              .toList();
      current = runs.stream().filter(j -> !finished(j)).reduce((a, b) -> b).orElse(null);
      lastFinished =
          runs.stream()
              .filter(BatchStatusBuilder::finished)
              .max(Comparator.comparing(BatchStatusBuilder::endTime))
              .orElse(null);
      s.cronJobName = o.cronJob() == null ? null : o.cronJob().getMetadata().getName();
      if (o.cronJob() != null && o.cronJob().getStatus() != null) {
        s.lastScheduleTime = o.cronJob().getStatus().getLastScheduleTime();
      }
    } else {
      Job job =
          o.jobs().stream()
              .filter(j -> j.getMetadata().getName().equals(o.desiredJob()))
              .findFirst()
              .orElse(null);
      current = job != null && !finished(job) ? job : null;
      lastFinished = job != null && finished(job) ? job : null;
    }
    if (lastFinished != null) {
      List<Pod> pods = podsOf(lastFinished, o.pods());
      boolean known =
          previous.lastRun != null
              && lastFinished.getMetadata().getName().equals(previous.lastRun.jobName);
      // Its pods gone (or not yet in the cache): what was read from them before stays.
      if (!pods.isEmpty() || !known) {
        s.lastRun = run(lastFinished, pods);
      }
    }

    boolean exists = scheduled ? o.cronJob() != null : (current != null || lastFinished != null);
    if (o.blocked() != null && !exists) {
      s.phase = BatchPhase.Pending;
      s.message = o.blocked().message();
      s.conditions.add(
          cond(previous, "Ready", false, o.blocked().reason(), o.blocked().message(), o.now()));
      addResultCondition(s, previous, o.now());
      return s;
    }
    String what = scheduled ? "CronJob " + mbj.getMetadata().getName() : "Job " + o.desiredJob();
    s.conditions.add(
        exists
            ? cond(
                previous,
                "Ready",
                true,
                scheduled ? "CronJobCreated" : "JobCreated",
                what + " exists",
                o.now())
            : cond(previous, "Ready", false, "Creating", "creating " + what, o.now()));

    if (current != null) {
      s.jobName = current.getMetadata().getName();
      List<Pod> pods = podsOf(current, o.pods());
      Pod running = runningPod(current, o.pods());
      if (running != null) {
        s.phase = BatchPhase.Running;
        s.progress = progress(current.getMetadata().getName(), o.progress(), previous, o.now());
        s.message =
            "run "
                + s.jobName
                + " under way"
                + (s.progress.rows == null ? "" : ": " + s.progress.rows + " rows so far");
      } else {
        s.phase = BatchPhase.Pending;
        s.message = "run " + s.jobName + " is starting: " + waiting(pods);
      }
    } else if (scheduled) {
      boolean suspended = Boolean.TRUE.equals(mbj.getSpec().suspend);
      s.phase = suspended ? BatchPhase.Suspended : BatchPhase.Scheduled;
      s.jobName = lastFinished == null ? null : lastFinished.getMetadata().getName();
      s.message =
          (suspended
                  ? "suspended: no new runs"
                  : "runs on schedule \"" + mbj.getSpec().schedule + "\"")
              + (s.lastRun == null || s.lastRun.result == null
                  ? ""
                  : "; last run " + s.lastRun.jobName + " " + s.lastRun.result);
    } else if (lastFinished != null) {
      s.jobName = lastFinished.getMetadata().getName();
      s.phase = s.lastRun.result;
      s.message =
          s.lastRun.result == BatchPhase.Succeeded
              ? "run "
                  + s.jobName
                  + " finished: "
                  + s.lastRun.rowsPredicted
                  + " rows predicted, "
                  + s.lastRun.rowsRejected
                  + " rejected"
              : "run " + s.jobName + " failed: " + s.lastRun.message;
    } else {
      s.phase = BatchPhase.Pending;
      s.message = "creating Job " + o.desiredJob();
    }
    addResultCondition(s, previous, o.now());
    return s;
  }

  /** The pod of a running Job whose batch container runs (the one to read progress from). */
  public static Pod runningPod(Job job, List<Pod> pods) {
    return podsOf(job, pods).stream()
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
        .filter(
            p ->
                container(p, BatchObjects.CONTAINER)
                    .map(c -> c.getState() != null && c.getState().getRunning() != null)
                    .orElse(false))
        .findFirst()
        .orElse(null);
  }

  /** Whether two statuses differ in anything but timestamps of observation. */
  public static boolean same(ModelBatchJobStatus a, ModelBatchJobStatus b) {
    return a != null
        && b != null
        && Objects.equals(a.observedGeneration, b.observedGeneration)
        && a.phase == b.phase
        && Objects.equals(a.message, b.message)
        && Objects.equals(a.jobName, b.jobName)
        && Objects.equals(a.cronJobName, b.cronJobName)
        && Objects.equals(a.lastScheduleTime, b.lastScheduleTime)
        && Objects.equals(a.progress, b.progress)
        && Objects.equals(a.lastRun, b.lastRun)
        && conds(a.conditions).equals(conds(b.conditions));
  }

  static BatchRun run(Job job, List<Pod> pods) {
    BatchRun r = new BatchRun();
    r.jobName = job.getMetadata().getName();
    boolean ok = condition(job, "Complete");
    r.result = ok ? BatchPhase.Succeeded : BatchPhase.Failed;
    r.startTime = job.getStatus() == null ? null : job.getStatus().getStartTime();
    r.completionTime = endTime(job);
    Pod pod =
        pods.stream()
            .filter(p -> p.getStatus() != null)
            .filter(p -> (ok ? "Succeeded" : "Failed").equals(p.getStatus().getPhase()))
            .max(
                Comparator.comparing(
                    p ->
                        p.getMetadata().getCreationTimestamp() == null
                            ? ""
                            : p.getMetadata().getCreationTimestamp()))
            .orElse(null);
    Optional<ContainerStatus> batch =
        pod == null ? Optional.empty() : container(pod, BatchObjects.CONTAINER);
    var terminated =
        batch.map(c -> c.getState() == null ? null : c.getState().getTerminated()).orElse(null);
    RunSummary summary = terminated == null ? null : RunSummary.parse(terminated.getMessage());
    if (summary != null && summary.isSummary()) {
      r.rowsRead = summary.rowsRead();
      r.rowsPredicted = summary.rowsPredicted();
      r.rowsRejected = summary.rowsRejected();
      r.rowsPerSecond = summary.rowsPerSecond();
      r.outputs = summary.outputs();
      r.rejects = summary.rejects();
    }
    if (!ok) {
      r.message = failure(job, pod, terminated, summary);
    } else if (summary == null || !summary.isSummary()) {
      r.message =
          "the run succeeded but left no summary in its termination message"
              + (summary == null ? "" : ": " + summary.text());
    }
    return r;
  }

  /** Why a Job failed, in a sentence: the pod's own words first, then the Job's. */
  static String failure(
      Job job,
      Pod pod,
      io.fabric8.kubernetes.api.model.ContainerStateTerminated terminated,
      RunSummary summary) {
    if (terminated != null && terminated.getExitCode() != null && terminated.getExitCode() != 0) {
      String why = RunSummary.exitMeaning(terminated.getExitCode());
      String said = summary == null ? null : summary.isSummary() ? null : summary.text();
      return why
          + " (exit code "
          + terminated.getExitCode()
          + ")"
          + (said == null ? "" : ": " + said);
    }
    if (pod != null && pod.getStatus().getInitContainerStatuses() != null) {
      for (ContainerStatus c : pod.getStatus().getInitContainerStatuses()) {
        var t = c.getState() == null ? null : c.getState().getTerminated();
        if (t != null && t.getExitCode() != null && t.getExitCode() != 0) {
          RunSummary said = RunSummary.parse(t.getMessage());
          return "fetching the model failed (container "
              + c.getName()
              + ", exit code "
              + t.getExitCode()
              + ")"
              + (said == null ? "" : ": " + said.text());
        }
      }
    }
    if (pod != null && pod.getStatus().getMessage() != null) {
      return pod.getStatus().getMessage();
    }
    return job.getStatus() == null || job.getStatus().getConditions() == null
        ? "the Job failed"
        : job.getStatus().getConditions().stream()
            .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))
            .map(c -> c.getReason() + ": " + c.getMessage())
            .findFirst()
            .orElse("the Job failed");
  }

  /** What a run's pods wait for: scheduling, the model fetch, an image... */
  static String waiting(List<Pod> pods) {
    Pod pod =
        pods.stream()
            .filter(p -> p.getStatus() != null && !"Failed".equals(p.getStatus().getPhase()))
            .findFirst()
            .orElse(null);
    if (pod == null) {
      return pods.isEmpty() ? "no pod yet" : "a pod failed; the Job retries";
    }
    var st = pod.getStatus();
    if (st.getConditions() != null) {
      for (PodCondition c : st.getConditions()) {
        if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())) {
          return "pod " + pod.getMetadata().getName() + " not scheduled: " + c.getMessage();
        }
      }
    }
    List<ContainerStatus> all = new ArrayList<>();
    if (st.getInitContainerStatuses() != null) all.addAll(st.getInitContainerStatuses());
    if (st.getContainerStatuses() != null) all.addAll(st.getContainerStatuses());
    for (ContainerStatus c : all) {
      var w = c.getState() == null ? null : c.getState().getWaiting();
      if (w != null && w.getReason() != null && !"PodInitializing".equals(w.getReason())) {
        return "container "
            + c.getName()
            + " waiting: "
            + w.getReason()
            + (w.getMessage() == null ? "" : " (" + w.getMessage() + ")");
      }
      if ("fetch".equals(c.getName())
          && c.getState() != null
          && c.getState().getRunning() != null) {
        return "fetching the model";
      }
    }
    return "pod " + pod.getMetadata().getName() + " " + st.getPhase();
  }

  private static BatchProgress progress(
      String job, ProgressLine line, ModelBatchJobStatus previous, String now) {
    if (line == null) {
      // No line yet (the first comes after 2 s), or the log could not be read: keep what was seen.
      if (previous.progress != null && job.equals(previous.progress.jobName)) {
        return previous.progress;
      }
      BatchProgress p = new BatchProgress();
      p.jobName = job;
      return p;
    }
    BatchProgress p = new BatchProgress();
    p.jobName = job;
    p.rows = line.rows();
    p.rejected = line.rejected();
    p.percent = line.percent();
    p.observedAt = now;
    return p;
  }

  private static void addResultCondition(
      ModelBatchJobStatus s, ModelBatchJobStatus previous, String now) {
    if (s.lastRun == null || s.lastRun.result == null) {
      return;
    }
    boolean ok = s.lastRun.result == BatchPhase.Succeeded;
    s.conditions.add(
        cond(
            previous,
            "Succeeded",
            ok,
            ok ? "RunSucceeded" : "RunFailed",
            "run " + s.lastRun.jobName + (ok ? " succeeded" : " failed: " + s.lastRun.message),
            now));
  }

  static List<Pod> podsOf(Job job, List<Pod> pods) {
    String name = job.getMetadata().getName();
    return pods.stream()
        .filter(p -> p.getMetadata().getLabels() != null)
        .filter(
            p ->
                name.equals(p.getMetadata().getLabels().get("batch.kubernetes.io/job-name"))
                    || name.equals(p.getMetadata().getLabels().get("job-name")))
        .toList();
  }

  static boolean finished(Job job) {
    return condition(job, "Complete") || condition(job, "Failed");
  }

  private static boolean condition(Job job, String type) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** When a finished Job ended: its completionTime, or when it was marked Failed. */
  static String endTime(Job job) {
    if (job.getStatus() == null) {
      return "";
    }
    if (job.getStatus().getCompletionTime() != null) {
      return job.getStatus().getCompletionTime();
    }
    return job.getStatus().getConditions() == null
        ? ""
        : job.getStatus().getConditions().stream()
            .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))
            .map(JobCondition::getLastTransitionTime)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse("");
  }

  private static boolean ownedByCronJob(Job job) {
    return job.getMetadata().getOwnerReferences() != null
        && job.getMetadata().getOwnerReferences().stream()
            .anyMatch(r -> "CronJob".equals(r.getKind()));
  }

  private static Optional<ContainerStatus> container(Pod p, String name) {
    if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return p.getStatus().getContainerStatuses().stream()
        .filter(c -> name.equals(c.getName()))
        .findFirst();
  }

  private static Condition cond(
      ModelBatchJobStatus previous,
      String type,
      boolean status,
      String reason,
      String message,
      String now) {
    return StatusBuilder.condition(previous.conditions, type, status, reason, message, now);
  }

  private static List<String> conds(List<Condition> cs) {
    return cs == null
        ? List.of()
        : cs.stream()
            .map(c -> c.getType() + c.getStatus() + c.getReason() + c.getMessage())
            .toList();
  }
}
