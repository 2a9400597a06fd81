package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObservationsTest {
  static Pod pod(String name, String revision, String ip, boolean ready, boolean terminating) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(revision == null ? Map.of() : Map.of("modelship.io/revision", revision))
            .withDeletionTimestamp(terminating ? "2026-11-25T10:00:00Z" : null)
            .endMetadata()
            .withNewStatus()
            .withPodIP(ip)
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready ? "True" : "False")
            .endCondition()
            .endStatus();
    return b.build();
  }

  @Test
  void readyEndpointsAreTheReadyPodsIpsByRevisionSorted() {
    Map<String, List<String>> e =
        Observations.readyEndpoints(
            List.of(
                pod("a", "v1", "10.244.0.9", true, false),
                pod("b", "v1", "10.244.0.3", true, false),
                pod("c", "v1", "10.244.0.4", false, false),
                pod("d", "v1", "10.244.0.5", true, true),
                pod("e", "v2", "10.244.0.7", true, false),
                pod("f", "v2", null, true, false),
                pod("router", null, "10.244.0.8", true, false)),
            8080);
    assertThat(e)
        .containsOnly(
            Map.entry("v1", List.of("10.244.0.3:8080", "10.244.0.9:8080")),
            Map.entry("v2", List.of("10.244.0.7:8080")));
  }

  @Test
  void aRevisionWithATransformerIsReachedOnTheServingPortItsPodsName() {
    Pod p = pod("a", "v3", "10.244.0.9", true, false);
    p.getMetadata().setAnnotations(Map.of("modelship.io/serving-port", "9000"));
    assertThat(
            Observations.readyEndpoints(
                List.of(p, pod("b", "v1", "10.244.0.3", true, false)), 8080))
        .containsOnly(
            Map.entry("v3", List.of("10.244.0.9:9000")),
            Map.entry("v1", List.of("10.244.0.3:8080")));
  }

  static io.fabric8.kubernetes.api.model.apps.Deployment deployment(
      String revision, String reason, String status) {
    return new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
        .withNewMetadata()
        .withName("iris-" + revision)
        .withLabels(Map.of("modelship.io/revision", revision))
        .endMetadata()
        .withNewSpec()
        .withReplicas(2)
        .withProgressDeadlineSeconds(60)
        .endSpec()
        .withNewStatus()
        .withReadyReplicas(0)
        .addNewCondition()
        .withType("Progressing")
        .withStatus(status)
        .withReason(reason)
        .withMessage("ReplicaSet \"iris-" + revision + "-5d4\" has timed out progressing.")
        .endCondition()
        .endStatus()
        .build();
  }

  @Test
  void aDeploymentPastItsProgressDeadlineIsAFailureOfItsRevision() {
    var states =
        Observations.revisions(
            List.of(
                deployment("v2", "ProgressDeadlineExceeded", "False"),
                deployment("v3", "ReplicaSetUpdated", "True")),
            List.of());
    assertThat(states.get(0).failure().reason()).isEqualTo("ProgressDeadlineExceeded");
    assertThat(states.get(0).failure().message())
        .isEqualTo(
            "revision v2 made no progress within 60 s (ReplicaSet \"iris-v2-5d4\" has timed out"
                + " progressing.)");
    assertThat(states.get(1).failure()).isNull();
  }
}
