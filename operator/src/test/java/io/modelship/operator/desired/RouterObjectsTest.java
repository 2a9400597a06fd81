package io.modelship.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelship.operator.api.MatchRule;
import io.modelship.operator.api.ModelDeployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterObjectsTest {
  static final ModelDeployment MD = DesiredObjectsTest.md("configmap://iris-model/iris.onnx");

  static MatchRule rule(Map<String, String> headers) {
    MatchRule r = new MatchRule();
    r.headers = headers;
    return r;
  }

  @Test
  void theRouterRunsTheRuntimeImageInRouterModeOnItsTableFileAndToken() {
    Deployment d = RouterObjects.deployment(MD, "img:1");
    assertThat(d.getMetadata().getName()).isEqualTo("iris-router");
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .containsEntry("modelship.io/name", "iris")
        .containsEntry("modelship.io/component", "router")
        .doesNotContainKey("modelship.io/revision");
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("img:1");
    assertThat(c.getArgs())
        .containsExactly(
            "--mode",
            "router",
            "--port",
            "8080",
            "--table-file",
            "/etc/modelship/router/table.json",
            "--admin-token-file",
            "/etc/modelship/router-token/token",
            "--preview-port",
            "8081");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getVolumes())
        .extracting(v -> v.getConfigMap() == null ? null : v.getConfigMap().getName())
        .contains("iris-router");
    assertThat(pod.getVolumes())
        .extracting(v -> v.getSecret() == null ? null : v.getSecret().getSecretName())
        .contains("iris-router-token");
  }

  @Test
  void aTablesVersionChangesOnlyWithItsContentAndOnlyUpwards() {
    TrafficTable t =
        TrafficTable.of("v1", null, Map.of("v1", List.of("10.244.0.3:8080")), 0, null, 0);
    TrafficTable first = t.versioned(null, 1000);
    assertThat(first.version()).isEqualTo(1000);
    assertThat(first.json()).endsWith(",\"version\":1000}");
    // The same content keeps its version (and bytes), however late.
    assertThat(t.versioned(first.json(), 5000).json()).isEqualTo(first.json());
    // New content: newer, even when the clock went back.
    TrafficTable moved =
        TrafficTable.of("v1", null, Map.of("v1", List.of("10.244.0.4:8080")), 0, null, 0);
    assertThat(moved.versioned(first.json(), 900).version()).isEqualTo(1001);
    assertThat(moved.versioned(first.json(), 7000).version()).isEqualTo(7000);
  }

  @Test
  void theSpecSetsHowManyRouters() {
    ModelDeployment md = DesiredObjectsTest.md("configmap://iris-model/iris.onnx");
    md.getSpec().traffic = new io.modelship.operator.api.TrafficSpec();
    md.getSpec().traffic.routerReplicas = 3;
    assertThat(RouterObjects.deployment(md, "img:1").getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void theServiceSelectsOnlyTheRoutersPods() {
    assertThat(RouterObjects.service(MD).getSpec().getSelector())
        .isEqualTo(Map.of("modelship.io/name", "iris", "modelship.io/component", "router"));
    assertThat(RouterObjects.service(MD).getMetadata().getName()).isEqualTo("iris");
    assertThat(RouterObjects.service(MD).getSpec().getPorts().get(0).getTargetPort().getStrVal())
        .isEqualTo("http");
  }

  @Test
  void thePreviewServiceIsTheRoutersPreviewListener() {
    var preview = RouterObjects.previewService(MD);
    assertThat(preview.getMetadata().getName()).isEqualTo("iris-preview");
    assertThat(preview.getSpec().getSelector())
        .isEqualTo(Map.of("modelship.io/name", "iris", "modelship.io/component", "router"));
    assertThat(preview.getSpec().getPorts().get(0).getPort()).isEqualTo(8080);
    assertThat(preview.getSpec().getPorts().get(0).getTargetPort().getStrVal())
        .isEqualTo("preview");
    assertThat(
            RouterObjects.deployment(MD, "img:1")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getPorts())
        .extracting(p -> p.getName() + "=" + p.getContainerPort())
        .containsExactly("http=8080", "preview=8081");
  }

  @Test
  void theTableIsTheRoutersJsonWithSortedEndpoints() {
    TrafficTable t =
        TrafficTable.of(
            "v1",
            "v2",
            Map.of(
                "v1",
                List.of("10.244.0.4:8080", "10.244.0.3:8080"),
                "v2",
                List.of("10.244.0.7:8080")),
            20,
            List.of(rule(Map.of("x-region", "eu", "x-group", "beta"))),
            0);
    // Keys sorted too: the same table always gives the same bytes.
    assertThat(t.json())
        .isEqualTo(
            "{\"candidate\":\"http://10.244.0.7:8080\",\"candidateRevision\":\"v2\","
                + "\"candidateWeight\":20,\"match\":[{\"headers\":{\"x-group\":\"beta\",\"x-region\":\"eu\"}}],"
                + "\"mirrorPercent\":0,\"stable\":\"http://10.244.0.3:8080,http://10.244.0.4:8080\","
                + "\"stableRevision\":\"v1\"}");
    assertThat(RouterObjects.table(MD, t).getData()).containsEntry("table.json", t.json());
  }

  @Test
  void aSideWithoutReadyEndpointsTakesNoTraffic() {
    TrafficTable noCandidate =
        TrafficTable.of("v1", "v2", Map.of("v1", List.of("10.244.0.3:8080")), 50, List.of(), 10);
    assertThat(noCandidate.json())
        .isEqualTo("{\"stable\":\"http://10.244.0.3:8080\",\"stableRevision\":\"v1\"}");
    assertThat(TrafficTable.of("v1", "v2", Map.of("v2", List.of("10.244.0.7:8080")), 50, null, 0))
        .isNull();
  }

  @Test
  void theTokenIsKeptInASecretOfItsOwn() {
    assertThat(RouterObjects.token(MD, "t".repeat(32)).getStringData())
        .containsEntry("token", "t".repeat(32));
    assertThat(RouterObjects.token(MD, "x").getMetadata().getName()).isEqualTo("iris-router-token");
  }
}
