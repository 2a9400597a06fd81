package io.modelship.operator.strategy;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads from pods why a revision cannot serve. A fetch that failed (missing file, sha256 mismatch)
 * is final at once, and so is a model the runtime could not load; any other serving container
 * counts as failed after it crash-loops; an image that cannot be pulled is final too.
 */
public final class PodFailures {
  static final int CRASH_RESTARTS = 3;

  /**
   * The bundled runtime's exit code for a model or card it cannot serve, and the start of the
   * termination message it writes then (model-runtime's {@code Main.cannotServe}).
   */
  static final int EXIT_MODEL = 3;

  static final String CANNOT_SERVE = "cannot serve the model: ";

  private static final Set<String> IMAGE_ERRORS =
      Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");

  private PodFailures() {}

  /** The first failure found among a revision's pods, or null. */
  public static Failure of(List<Pod> pods) {
    for (Pod pod : pods) {
      if (pod.getMetadata() != null && pod.getMetadata().getDeletionTimestamp() != null) {
        // Being deleted (scaled down, replaced): its containers get SIGTERM, which says nothing
        // about the model or the image.
        continue;
      }
      if (pod.getStatus() == null) {
        continue;
      }
      for (ContainerStatus s : nullSafe(pod.getStatus().getInitContainerStatuses())) {
        ContainerStateTerminated t = terminated(s);
        if (t != null && t.getExitCode() != null && t.getExitCode() != 0) {
          String why =
              t.getMessage() != null && !t.getMessage().isBlank()
                  ? t.getMessage().strip()
                  : "exit code "
                      + t.getExitCode()
                      + (t.getReason() == null ? "" : " (" + t.getReason() + ")");
          return new Failure(
              "ModelFetchFailed", "pod " + name(pod) + ": fetching the model failed: " + why);
        }
        Failure image = imageFailure(pod, s);
        if (image != null) {
          return image;
        }
      }
      for (ContainerStatus s : nullSafe(pod.getStatus().getContainerStatuses())) {
        Failure image = imageFailure(pod, s);
        if (image != null) {
          return image;
        }
        Failure load = loadFailure(pod, s);
        if (load != null) {
          return load;
        }
        ContainerStateWaiting w = s.getState() == null ? null : s.getState().getWaiting();
        int restarts = s.getRestartCount() == null ? 0 : s.getRestartCount();
        if (w != null && "CrashLoopBackOff".equals(w.getReason()) && restarts >= CRASH_RESTARTS) {
          ContainerStateTerminated last =
              s.getLastState() == null ? null : s.getLastState().getTerminated();
          String why =
              last != null && last.getMessage() != null && !last.getMessage().isBlank()
                  ? ": " + last.getMessage().strip()
                  : last != null ? ": exit code " + last.getExitCode() : "";
          return new Failure(
              "CrashLoop",
              "pod "
                  + name(pod)
                  + ": container "
                  + s.getName()
                  + " restarted "
                  + restarts
                  + " times"
                  + why);
        }
      }
    }
    return null;
  }

  /**
   * The runtime said it cannot serve the model (a file that is not ONNX, a card that does not fit
   * it). The same file fails the same way at every restart, so this is final at its first exit,
   * instead of after the kubelet's restarts 10, 20 and 40 s apart, which took 3.5 minutes on a busy
   * node. Other exits (a crash, an OOM kill) may pass: they wait for the crash loop.
   */
  private static Failure loadFailure(Pod pod, ContainerStatus s) {
    ContainerStateTerminated t = terminated(s);
    if (t == null
        || t.getExitCode() == null
        || t.getExitCode() != EXIT_MODEL
        || t.getMessage() == null
        || !t.getMessage().startsWith(CANNOT_SERVE)) {
      return null;
    }
    return new Failure(
        "ModelLoadFailed",
        "pod " + name(pod) + ": container " + s.getName() + ": " + t.getMessage().strip());
  }

  private static Failure imageFailure(Pod pod, ContainerStatus s) {
    ContainerStateWaiting w = s.getState() == null ? null : s.getState().getWaiting();
    if (w != null && IMAGE_ERRORS.contains(w.getReason())) {
      return new Failure(
          "ImagePullFailed",
          "pod "
              + name(pod)
              + ": image "
              + s.getImage()
              + ": "
              + w.getReason()
              + (w.getMessage() == null ? "" : " (" + w.getMessage() + ")"));
    }
    return null;
  }

  private static ContainerStateTerminated terminated(ContainerStatus s) {
    if (s.getState() != null && s.getState().getTerminated() != null) {
      return s.getState().getTerminated();
    }
    return s.getLastState() == null ? null : s.getLastState().getTerminated();
  }

  private static String name(Pod pod) {
    return pod.getMetadata() == null ? "?" : pod.getMetadata().getName();
  }

  private static <T> List<T> nullSafe(List<T> l) {
    return l == null ? new ArrayList<>() : l;
  }
}
