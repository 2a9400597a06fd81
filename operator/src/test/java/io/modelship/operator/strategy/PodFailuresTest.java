package io.modelship.operator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodFailuresTest {

  static PodBuilder pod() {
    return new PodBuilder().withNewMetadata().withName("p").endMetadata();
  }

  /** A pod whose fetch init container has terminated. */
  static Pod fetchEnded(int exitCode, String message) {
    return pod()
        .withNewStatus()
        .addNewInitContainerStatus()
        .withName("fetch")
        .withNewState()
        .withNewTerminated()
        .withExitCode(exitCode)
        .withMessage(message)
        .endTerminated()
        .endState()
        .endInitContainerStatus()
        .endStatus()
        .build();
  }

  @Test
  void aPodBeingDeletedIsNoFailureEvenWhenItsFetchWasKilled() {
    Pod killed = fetchEnded(143, "");
    killed.getMetadata().setDeletionTimestamp("2026-11-25T10:00:00Z");
    assertThat(PodFailures.of(List.of(killed))).isNull();
  }

  @Test
  void failedFetchIsFinalAndQuotesTheTerminationMessage() {
    Pod p = fetchEnded(5, "sha256 mismatch for x\n");
    Failure f = PodFailures.of(List.of(p));
    assertThat(f.reason()).isEqualTo("ModelFetchFailed");
    assertThat(f.message()).isEqualTo("pod p: fetching the model failed: sha256 mismatch for x");
  }

  @Test
  void crashLoopCountsOnlyAfterRepeatedRestarts() {
    Pod once =
        pod()
            .withNewStatus()
            .addNewContainerStatus()
            .withName("runtime")
            .withRestartCount(1)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertThat(PodFailures.of(List.of(once))).isNull();
    Pod often =
        pod()
            .withNewStatus()
            .addNewContainerStatus()
            .withName("runtime")
            .withRestartCount(3)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(3)
            .withMessage("model.onnx: not a loadable ONNX model")
            .endTerminated()
            .endLastState()
            .endContainerStatus()
            .endStatus()
            .build();
    Failure f = PodFailures.of(List.of(often));
    assertThat(f.reason()).isEqualTo("CrashLoop");
    assertThat(f.message()).contains("restarted 3 times", "not a loadable ONNX model");
  }

  /** A pod whose runtime container exited once and waits to be restarted. */
  static Pod runtimeExited(int exitCode, String message) {
    return pod()
        .withNewStatus()
        .addNewContainerStatus()
        .withName("runtime")
        .withRestartCount(0)
        .withNewState()
        .withNewWaiting()
        .withReason("CrashLoopBackOff")
        .endWaiting()
        .endState()
        .withNewLastState()
        .withNewTerminated()
        .withExitCode(exitCode)
        .withMessage(message)
        .endTerminated()
        .endLastState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  @Test
  void aModelTheRuntimeCannotLoadIsFinalAtItsFirstExit() {
    Pod p =
        runtimeExited(
            3,
            "cannot serve the model: /models/model.onnx: not a loadable ONNX model: Protobuf"
                + " parsing failed.\n");
    Failure f = PodFailures.of(List.of(p));
    assertThat(f.reason()).isEqualTo("ModelLoadFailed");
    assertThat(f.message())
        .isEqualTo(
            "pod p: container runtime: cannot serve the model: /models/model.onnx: not a loadable"
                + " ONNX model: Protobuf parsing failed.");
  }

  @Test
  void otherExitsWaitForTheCrashLoop() {
    // Another program's exit code 3, and the runtime's message with another exit code (killed).
    assertThat(PodFailures.of(List.of(runtimeExited(3, "something else")))).isNull();
    assertThat(PodFailures.of(List.of(runtimeExited(3, null)))).isNull();
    assertThat(PodFailures.of(List.of(runtimeExited(137, "cannot serve the model: x")))).isNull();
  }

  @Test
  void imagePullErrorsFail() {
    Pod p =
        pod()
            .withNewStatus()
            .addNewContainerStatus()
            .withName("runtime")
            .withImage("nope:1")
            .withNewState()
            .withNewWaiting()
            .withReason("ImagePullBackOff")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertThat(PodFailures.of(List.of(p)).reason()).isEqualTo("ImagePullFailed");
  }

  @Test
  void healthyOrStartingPodsAreNoFailure() {
    Pod p = fetchEnded(0, null);
    assertThat(PodFailures.of(List.of(p, pod().build()))).isNull();
  }
}
