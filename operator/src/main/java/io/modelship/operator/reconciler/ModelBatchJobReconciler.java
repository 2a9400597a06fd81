package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
import io.modelship.operator.api.BatchPhase;
import io.modelship.operator.api.ModelBatchJob;
import io.modelship.operator.api.ModelBatchJobSpec;
import io.modelship.operator.api.ModelBatchJobStatus;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.batch.BatchPreflight;
import io.modelship.operator.batch.BatchStatusBuilder;
import io.modelship.operator.batch.ProgressLine;
import io.modelship.operator.config.OperatorConfig;
import io.modelship.operator.desired.BatchModel;
import io.modelship.operator.desired.BatchObjects;
import io.modelship.operator.strategy.Failure;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Reconciles a ModelBatchJob: resolve the model and check what the run reads (thin I/O), apply the
 * card and the Job or CronJob ({@link BatchObjects}, pure), and write status from the observed Jobs
 * and pods ({@link BatchStatusBuilder}, pure), with live progress from the running pod's log.
 */
@ControllerConfiguration(name = ModelBatchJobReconciler.NAME)
public class ModelBatchJobReconciler implements Reconciler<ModelBatchJob> {
  public static final String NAME = "modelbatchjob";

  /** How often a running batch's progress is read from its pod's log. */
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

  /** How often a scheduled job looks again (a ModelDeployment's new revision, a missing input). */
  static final Duration SCHEDULED_INTERVAL = Duration.ofSeconds(60);

  private static final Logger LOG = Logger.getLogger(ModelBatchJobReconciler.class);

  @Inject OperatorConfig config;
  @Inject KubernetesClient client;
  @Inject Applier applier;

  @Override
  public List<EventSource<?, ModelBatchJob>> prepareEventSources(
      EventSourceContext<ModelBatchJob> context) {
    return List.of(
        labelled(Job.class, context),
        labelled(CronJob.class, context),
        labelled(Pod.class, context));
  }

  /** An informer on this operator's objects of one kind that name a ModelBatchJob. */
  private static <R extends HasMetadata> EventSource<R, ModelBatchJob> labelled(
      Class<R> kind, EventSourceContext<ModelBatchJob> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(kind, ModelBatchJob.class)
            .withName("batch-" + kind.getSimpleName().toLowerCase())
            .withLabelSelector(BatchObjects.BATCH_JOB)
            .withSecondaryToPrimaryMapper(ModelBatchJobReconciler::owner)
            .withItemStore(TrimmedStore.of(kind))
            .build(),
        context);
  }

  private static Set<ResourceID> owner(HasMetadata r) {
    Map<String, String> labels = r.getMetadata().getLabels();
    String name = labels == null ? null : labels.get(BatchObjects.BATCH_JOB);
    return name == null ? Set.of() : Set.of(new ResourceID(name, r.getMetadata().getNamespace()));
  }

  @Override
  public UpdateControl<ModelBatchJob> reconcile(ModelBatchJob mbj, Context<ModelBatchJob> context) {
    ModelBatchJobSpec spec = mbj.getSpec();
    String ns = mbj.getMetadata().getNamespace();
    String image =
        spec.runtime != null && spec.runtime.image != null
            ? spec.runtime.image
            : config.runtimeImage();
    boolean scheduled = spec.schedule != null;
    List<Job> jobs = new ArrayList<>(context.getSecondaryResources(Job.class));
    List<Pod> pods = new ArrayList<>(context.getSecondaryResources(Pod.class));
    CronJob cron =
        context.getSecondaryResources(CronJob.class).stream()
            .filter(c -> c.getMetadata().getName().equals(mbj.getMetadata().getName()))
            .findFirst()
            .orElse(null);
    String desiredJob = scheduled ? null : BatchObjects.jobName(mbj, image);
    boolean jobExists =
        desiredJob != null
            && jobs.stream().anyMatch(j -> j.getMetadata().getName().equals(desiredJob));

    // A Job's template is fixed once made: a run-once job is resolved and checked before its Job
    // only. A scheduled one on every pass, so its CronJob follows a ModelDeployment's new revision.
    Failure blocked = null;
    if (!jobExists) {
      BatchModel model = null;
      try {
        model = resolveModel(mbj, image);
        blocked = BatchPreflight.check(spec, ns, this::configMap, this::claimExists);
      } catch (Blocked b) {
        blocked = b.failure;
      }
      if (blocked == null) {
        applyIfChanged(BatchObjects.card(mbj, model), null);
        if (scheduled) {
          applyIfChanged(BatchObjects.cronJob(mbj, model, image), cron);
        } else {
          applier.apply(BatchObjects.job(mbj, model, image));
        }
      }
    }
    retireOthers(mbj, scheduled, desiredJob, jobs, cron);

    ProgressLine progress = null;
    Job active =
        jobs.stream()
            .filter(j -> BatchStatusBuilder.runningPod(j, pods) != null)
            .findFirst()
            .orElse(null);
    if (active != null) {
      progress = readProgress(BatchStatusBuilder.runningPod(active, pods));
    }
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    ModelBatchJobStatus next =
        BatchStatusBuilder.build(
            new BatchStatusBuilder.Observed(
                mbj, blocked, desiredJob, cron, jobs, pods, progress, now));
    announce(mbj, mbj.getStatus(), next);

    UpdateControl<ModelBatchJob> control;
    if (BatchStatusBuilder.same(mbj.getStatus(), next)) {
      control = UpdateControl.noUpdate();
    } else {
      mbj.setStatus(next);
      control = UpdateControl.patchStatus(mbj);
    }
    if (next.phase == BatchPhase.Running || next.phase == BatchPhase.Pending) {
      control.rescheduleAfter(PROGRESS_INTERVAL);
    } else if (scheduled) {
      control.rescheduleAfter(SCHEDULED_INTERVAL);
    }
    return control;
  }

  @Override
  public ErrorStatusUpdateControl<ModelBatchJob> updateErrorStatus(
      ModelBatchJob mbj, Context<ModelBatchJob> context, Exception e) {
    ModelBatchJobStatus next =
        mbj.getStatus() == null ? new ModelBatchJobStatus() : mbj.getStatus();
    String message = ModelDeploymentReconciler.failure(e);
    if (Objects.equals(next.message, message)) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    next.message = message;
    mbj.setStatus(next);
    return ErrorStatusUpdateControl.patchStatus(mbj);
  }

  /** Why no run can start, thrown from the I/O helpers below. */
  static final class Blocked extends RuntimeException {
    final Failure failure;

    Blocked(String reason, String message) {
      super(message, null, false, false);
      this.failure = new Failure(reason, message);
    }
  }

  /** The model the run uses: spec.model, or what the referenced ModelDeployment serves. */
  private BatchModel resolveModel(ModelBatchJob mbj, String image) {
    ModelBatchJobSpec spec = mbj.getSpec();
    if (spec.model != null) {
      return BatchModel.of(spec.model, image);
    }
    String ns = mbj.getMetadata().getNamespace();
    String name = spec.modelDeploymentRef.name;
    ModelDeployment md =
        client.resources(ModelDeployment.class).inNamespace(ns).withName(name).get();
    if (md == null) {
      throw new Blocked(
          "ModelDeploymentNotFound",
          "spec.modelDeploymentRef: ModelDeployment "
              + name
              + " not found in namespace "
              + ns
              + "; create it, or give the model in spec.model");
    }
    String revision = md.getStatus() == null ? null : md.getStatus().stableRevision;
    if (revision == null) {
      throw new Blocked(
          "ModelDeploymentNotServing",
          "spec.modelDeploymentRef: ModelDeployment "
              + name
              + " serves no revision yet (status.stableRevision is empty); the run starts once it"
              + " does");
    }
    String object = name + "-" + revision;
    Deployment d = client.apps().deployments().inNamespace(ns).withName(object).get();
    ConfigMap card = client.configMaps().inNamespace(ns).withName(object).get();
    BatchModel model =
        d == null || card == null ? null : BatchModel.serving(name, revision, d, card);
    if (model == null) {
      throw new Blocked(
          "ModelDeploymentNotServing",
          "spec.modelDeploymentRef: the Deployment or card of ModelDeployment "
              + name
              + "'s stable revision "
              + revision
              + " ("
              + object
              + ") is missing; the run starts once the revision serves again");
    }
    return model;
  }

  private ConfigMap configMap(String ns, String name) {
    return client.configMaps().inNamespace(ns).withName(name).get();
  }

  private boolean claimExists(String ns, String name) {
    return client.persistentVolumeClaims().inNamespace(ns).withName(name).get() != null;
  }

  /**
   * A run-once job's earlier Jobs (an older spec) go, as does a CronJob after spec.schedule was
   * removed; Jobs made directly for this resource go once it is scheduled.
   */
  private void retireOthers(
      ModelBatchJob mbj, boolean scheduled, String desiredJob, List<Job> jobs, CronJob cron) {
    for (Job j : jobs) {
      boolean ownedByUs =
          j.getMetadata().getOwnerReferences() != null
              && j.getMetadata().getOwnerReferences().stream()
                  .anyMatch(r -> "ModelBatchJob".equals(r.getKind()));
      if (ownedByUs && (scheduled || !j.getMetadata().getName().equals(desiredJob))) {
        LOG.infof("%s: deleting Job %s of an earlier spec", key(mbj), j.getMetadata().getName());
        client
            .resource(j)
            .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
            .delete();
      }
    }
    if (!scheduled && cron != null) {
      LOG.infof(
          "%s: spec.schedule removed; deleting CronJob %s", key(mbj), cron.getMetadata().getName());
      client
          .resource(cron)
          .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
          .delete();
    }
  }

  /** The last progress line in the tail of the batch container's log; null if unreadable. */
  private ProgressLine readProgress(Pod pod) {
    try {
      String tail =
          client
              .pods()
              .inNamespace(pod.getMetadata().getNamespace())
              .withName(pod.getMetadata().getName())
              .inContainer(BatchObjects.CONTAINER)
              .tailingLines(5)
              .getLog();
      return ProgressLine.last(tail);
    } catch (KubernetesClientException e) {
      LOG.debugf("cannot read the log of %s: %s", pod.getMetadata().getName(), e.getMessage());
      return null;
    }
  }

  private void applyIfChanged(HasMetadata desired, HasMetadata cached) {
    String hash =
        Integer.toHexString(Objects.hash(client.getKubernetesSerialization().asJson(desired)));
    desired
        .getMetadata()
        .setAnnotations(new java.util.LinkedHashMap<>(Map.of(Drift.APPLIED, hash)));
    if (Drift.needsApply(desired, cached, hash)) {
      applier.apply(desired);
    }
  }

  /** An Event when the phase changes. */
  private void announce(ModelBatchJob mbj, ModelBatchJobStatus before, ModelBatchJobStatus after) {
    BatchPhase was = before == null ? null : before.phase;
    if (was == after.phase || after.phase == null) {
      return;
    }
    boolean warning =
        after.phase == BatchPhase.Failed
            || (after.phase == BatchPhase.Pending
                && after.conditions.stream()
                    .anyMatch(
                        c ->
                            "Ready".equals(c.getType())
                                && "False".equals(c.getStatus())
                                && !"Creating".equals(c.getReason())));
    EventRecorder.record(
        client, mbj, warning, after.phase.name(), after.message == null ? "" : after.message);
  }

  private static String key(ModelBatchJob mbj) {
    return mbj.getMetadata().getNamespace() + "/" + mbj.getMetadata().getName();
  }
}
