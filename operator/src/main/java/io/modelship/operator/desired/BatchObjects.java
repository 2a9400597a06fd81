package io.modelship.operator.desired;

import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRuleBuilder;
import io.modelship.operator.api.BatchInputSpec;
import io.modelship.operator.api.ModelBatchJob;
import io.modelship.operator.api.ModelBatchJobSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What should exist for a ModelBatchJob: its card ConfigMap, and a Job (run once) or a CronJob
 * (spec.schedule) whose pods fetch the model as serving pods do and run the runtime's {@code batch}
 * command. Pure functions of the resource, the resolved model and the image.
 */
public final class BatchObjects {
  /** Label naming the ModelBatchJob on its Jobs, CronJob, pods and card. */
  public static final String BATCH_JOB = "modelship.io/batch-job";

  /** The batch container's name; its termination message is the run's summary. */
  public static final String CONTAINER = "batch";

  /** Where the input is mounted in the batch container. */
  public static final String IN_DIR = "/data/in";

  /** Where the output claim is mounted in the batch container. */
  public static final String OUT_DIR = "/data/out";

  /** Exit codes of the batch command that no retry can fix: usage, model, too many rejects. */
  public static final List<Integer> FINAL_EXIT_CODES = List.of(2, 3, 5);

  public static final int DEFAULT_BACKOFF_LIMIT = 1;
  public static final int DEFAULT_SUCCESSFUL_HISTORY = 3;
  public static final int DEFAULT_FAILED_HISTORY = 1;

  private static final ObjectMapper CANONICAL =
      new ObjectMapper()
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
          .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true);

  private BatchObjects() {}

  /** Labels of every object of one ModelBatchJob (not modelship.io/name: that names an MD). */
  public static Map<String, String> labels(String name) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("app.kubernetes.io/name", "model-batch");
    l.put("app.kubernetes.io/instance", name);
    l.put(Labels.MANAGED_BY, Labels.OPERATOR);
    l.put(BATCH_JOB, name);
    return l;
  }

  public static String cardName(ModelBatchJob job) {
    return job.getMetadata().getName() + "-card";
  }

  /**
   * The Job of a run-once ModelBatchJob: {@code <name>-<hash of the spec and image>}, so a changed
   * spec is a new run (a Job's pod template cannot change).
   */
  public static String jobName(ModelBatchJob job, String image) {
    var node = CANONICAL.createObjectNode();
    node.set("spec", CANONICAL.valueToTree(job.getSpec()));
    node.put("image", image);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(CANONICAL.writeValueAsString(node).getBytes(StandardCharsets.UTF_8));
      return job.getMetadata().getName() + "-" + HexFormat.of().formatHex(digest).substring(0, 10);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash spec", e);
    }
  }

  /** The card the batch command reads, owned by the ModelBatchJob. */
  public static ConfigMap card(ModelBatchJob job, BatchModel model) {
    return new ConfigMapBuilder()
        .withMetadata(meta(job, cardName(job)))
        .withData(Map.of(DesiredObjects.CARD_KEY, model.cardYaml()))
        .build();
  }

  public static Job job(ModelBatchJob job, BatchModel model, String image) {
    return new JobBuilder()
        .withMetadata(meta(job, jobName(job, image)))
        .withSpec(jobSpec(job, model, image))
        .build();
  }

  public static CronJob cronJob(ModelBatchJob job, BatchModel model, String image) {
    ModelBatchJobSpec spec = job.getSpec();
    String name = job.getMetadata().getName();
    return new CronJobBuilder()
        .withMetadata(meta(job, name))
        .withNewSpec()
        .withSchedule(spec.schedule)
        .withTimeZone(spec.timeZone)
        .withSuspend(Boolean.TRUE.equals(spec.suspend))
        // Two runs at once would write the same prediction files.
        .withConcurrencyPolicy("Forbid")
        .withSuccessfulJobsHistoryLimit(
            spec.successfulJobsHistoryLimit == null
                ? DEFAULT_SUCCESSFUL_HISTORY
                : spec.successfulJobsHistoryLimit)
        .withFailedJobsHistoryLimit(
            spec.failedJobsHistoryLimit == null
                ? DEFAULT_FAILED_HISTORY
                : spec.failedJobsHistoryLimit)
        .withNewJobTemplate()
        .withNewMetadata()
        .withLabels(labels(name))
        .endMetadata()
        .withSpec(jobSpec(job, model, image))
        .endJobTemplate()
        .endSpec()
        .build();
  }

  static JobSpec jobSpec(ModelBatchJob job, BatchModel model, String image) {
    ModelBatchJobSpec spec = job.getSpec();
    return new JobSpecBuilder()
        .withBackoffLimit(spec.backoffLimit == null ? DEFAULT_BACKOFF_LIMIT : spec.backoffLimit)
        .withActiveDeadlineSeconds(spec.activeDeadlineSeconds)
        .withNewPodFailurePolicy()
        .withRules(
            new PodFailurePolicyRuleBuilder()
                .withAction("FailJob")
                .withNewOnExitCodes()
                .withContainerName(CONTAINER)
                .withOperator("In")
                .withValues(FINAL_EXIT_CODES)
                .endOnExitCodes()
                .build(),
            // A pod evicted or preempted is not the run's fault: not counted as a retry.
            new PodFailurePolicyRuleBuilder()
                .withAction("Ignore")
                .addNewOnPodCondition()
                .withType("DisruptionTarget")
                .withStatus("True")
                .endOnPodCondition()
                .build())
        .endPodFailurePolicy()
        .withTemplate(podTemplate(job, model, image))
        .build();
  }

  static PodTemplateSpec podTemplate(ModelBatchJob job, BatchModel model, String image) {
    ModelBatchJobSpec spec = job.getSpec();
    List<Volume> volumes = new ArrayList<>();
    volumes.add(new VolumeBuilder().withName("model").withNewEmptyDir().endEmptyDir().build());
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    volumes.add(
        new VolumeBuilder()
            .withName("card")
            .withNewConfigMap()
            .withName(cardName(job))
            .endConfigMap()
            .build());
    if (model.source() != null) {
      volumes.add(model.source());
    }
    Paths paths = paths(spec);
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(DesiredObjects.mount("model", DesiredObjects.MODEL_DIR, true));
    mounts.add(DesiredObjects.mount("card", DesiredObjects.CARD_DIR, true));
    mounts.add(DesiredObjects.mount("tmp", "/tmp", false));
    BatchInputSpec input = spec.input;
    if (input.configMap != null) {
      var cm =
          new VolumeBuilder()
              .withName("input")
              .withNewConfigMap()
              .withName(input.configMap.name)
              .endConfigMap();
      if (input.configMap.key != null) {
        // Only that key: the directory holds the one file.
        cm =
            cm.editConfigMap()
                .withItems(new KeyToPath(input.configMap.key, null, input.configMap.key))
                .endConfigMap();
      }
      volumes.add(cm.build());
      mounts.add(DesiredObjects.mount("input", IN_DIR, true));
    } else {
      volumes.add(
          new VolumeBuilder()
              .withName("input")
              .withNewPersistentVolumeClaim(input.persistentVolumeClaim.claimName, !paths.shared())
              .build());
      mounts.add(DesiredObjects.mount("input", IN_DIR, true));
    }
    if (paths.shared()) {
      // One claim for both: one volume, mounted read-only for the input and writable for output.
      mounts.add(DesiredObjects.mount("input", OUT_DIR, false));
    } else {
      volumes.add(
          new VolumeBuilder()
              .withName("output")
              .withNewPersistentVolumeClaim(spec.output.persistentVolumeClaim.claimName, false)
              .build());
      mounts.add(DesiredObjects.mount("output", OUT_DIR, false));
    }

    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "batch",
            "--model",
            DesiredObjects.MODEL_FILE,
            "--card",
            DesiredObjects.CARD_DIR + "/" + DesiredObjects.CARD_KEY,
            "--in",
            paths.in(),
            "--out",
            paths.out(),
            "--summary",
            "/dev/termination-log",
            "--progress",
            "lines"));
    if (paths.rejects() != null) {
      args.addAll(List.of("--rejects", paths.rejects()));
    }
    if (spec.format != null) {
      args.addAll(List.of("--format", spec.format.name()));
    }
    if (spec.batchSize != null) {
      args.addAll(List.of("--batch-size", Integer.toString(spec.batchSize)));
    }
    if (spec.maxRejectedFraction != null) {
      args.addAll(List.of("--max-rejected-fraction", Double.toString(spec.maxRejectedFraction)));
    }
    Container batch =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(image)
            .withArgs(args)
            .withVolumeMounts(mounts)
            .withSecurityContext(DesiredObjects.restricted())
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .withResources(resources(spec))
            .build();
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(labels(job.getMetadata().getName()))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withEnableServiceLinks(false)
        .withAutomountServiceAccountToken(false)
        .withSecurityContext(DesiredObjects.podSecurity())
        .withInitContainers(model.fetch())
        .withContainers(batch)
        .withVolumes(volumes)
        .endSpec()
        .build();
  }

  /**
   * The batch command's --in, --out and --rejects, and whether input and output are on one claim.
   *
   * @param in a file or directory under {@link #IN_DIR}
   * @param out the predictions: a directory under {@link #OUT_DIR} for a directory input, the file
   *     {@code X.predictions.csv} for an input file {@code X.csv}
   * @param rejects {@code X.rejects.jsonl} beside the predictions for an input file; null for a
   *     directory (the command names them the same way)
   */
  public record Paths(String in, String out, String rejects, boolean shared) {}

  private static final java.util.regex.Pattern FILE =
      java.util.regex.Pattern.compile("(?i).*\\.(csv|jsonl|ndjson)$");

  /**
   * Where the batch command reads and writes. A ConfigMap is a directory of its keys (only the
   * chosen one when spec.input.configMap.key is set). A claim's path is a file when it ends in
   * .csv, .jsonl or .ndjson, else a directory. Without spec.output the predictions go beside the
   * input: into the directory that holds spec.input.persistentVolumeClaim.path (never into a
   * directory of inputs, where the next run would find them).
   */
  public static Paths paths(ModelBatchJobSpec spec) {
    BatchInputSpec input = spec.input;
    String in;
    String file = null;
    if (input.configMap != null) {
      in = IN_DIR;
    } else {
      String path = trim(input.persistentVolumeClaim.path);
      in = path.isEmpty() || path.equals(".") ? IN_DIR : IN_DIR + "/" + path;
      if (FILE.matcher(path).matches()) {
        file = path.substring(path.lastIndexOf('/') + 1);
      }
    }
    String outClaim;
    String outPath;
    if (spec.output != null) {
      outClaim = spec.output.persistentVolumeClaim.claimName;
      outPath = trim(spec.output.persistentVolumeClaim.path);
    } else {
      outClaim = input.persistentVolumeClaim.claimName;
      outPath = parent(trim(input.persistentVolumeClaim.path));
    }
    boolean shared =
        input.persistentVolumeClaim != null
            && input.persistentVolumeClaim.claimName.equals(outClaim);
    String out = outPath.isEmpty() || outPath.equals(".") ? OUT_DIR : OUT_DIR + "/" + outPath;
    if (file == null) {
      return new Paths(in, out, null, shared);
    }
    int dot = file.lastIndexOf('.');
    String stem = file.substring(0, dot);
    return new Paths(
        in,
        out + "/" + stem + ".predictions" + file.substring(dot),
        out + "/" + stem + ".rejects.jsonl",
        shared);
  }

  private static String trim(String path) {
    String p = path;
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    while (p.startsWith("./")) {
      p = p.substring(2);
    }
    return p;
  }

  private static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  private static ResourceRequirements resources(ModelBatchJobSpec spec) {
    if (spec.runtime != null && spec.runtime.resources != null) {
      return spec.runtime.resources;
    }
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("256Mi"))
        .addToLimits("memory", new Quantity("1Gi"))
        .build();
  }

  static ObjectMeta meta(ModelBatchJob job, String name) {
    return DesiredObjects.meta(job, name, labels(job.getMetadata().getName()));
  }
}
