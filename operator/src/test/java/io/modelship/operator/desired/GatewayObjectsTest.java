package io.modelship.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.modelship.operator.api.MatchRule;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ParentRef;
import io.modelship.operator.api.StrategySpec;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.api.TrafficProvider;
import io.modelship.operator.api.TrafficSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class GatewayObjectsTest {
  public static ModelDeployment md() {
    ModelDeployment md = DesiredObjectsTest.md("configmap://iris-model/iris.onnx");
    md.getSpec().strategy = new StrategySpec();
    md.getSpec().strategy.type = StrategyType.Canary;
    md.getSpec().traffic = new TrafficSpec();
    md.getSpec().traffic.provider = TrafficProvider.GatewayAPI;
    ParentRef p = new ParentRef();
    p.name = "public";
    p.namespace = "gateways";
    p.sectionName = "https";
    md.getSpec().traffic.parentRefs = List.of(p);
    md.getSpec().traffic.hostnames = List.of("iris.example.com");
    return md;
  }

  static String json(GenericKubernetesResource r) throws Exception {
    return new ObjectMapper().writeValueAsString(r.getAdditionalProperties().get("spec"));
  }

  @Test
  void aCanaryIsAWeightedPairOfRevisionServicesAfterItsHeaderMatches() throws Exception {
    MatchRule beta = new MatchRule();
    beta.headers = Map.of("x-user-group", "beta", "x-region", "eu");
    GenericKubernetesResource r = GatewayObjects.route(md(), "v1", "v2", 25, List.of(beta));
    assertThat(r.getApiVersion()).isEqualTo("gateway.networking.k8s.io/v1");
    assertThat(r.getKind()).isEqualTo("HTTPRoute");
    assertThat(r.getMetadata().getName()).isEqualTo("iris");
    assertThat(r.getMetadata().getOwnerReferences()).hasSize(1);
    assertThat(json(r))
        .isEqualTo(
            "{\"parentRefs\":[{\"group\":\"gateway.networking.k8s.io\",\"kind\":\"Gateway\","
                + "\"name\":\"public\",\"namespace\":\"gateways\",\"sectionName\":\"https\"}],"
                + "\"hostnames\":[\"iris.example.com\"],"
                + "\"rules\":["
                + "{\"matches\":[{\"headers\":["
                + "{\"type\":\"Exact\",\"name\":\"x-region\",\"value\":\"eu\"},"
                + "{\"type\":\"Exact\",\"name\":\"x-user-group\",\"value\":\"beta\"}]}],"
                + "\"backendRefs\":[{\"group\":\"\",\"kind\":\"Service\",\"name\":\"iris-v2\","
                + "\"port\":8080}]},"
                + "{\"backendRefs\":["
                + "{\"group\":\"\",\"kind\":\"Service\",\"name\":\"iris-v1\",\"port\":8080,"
                + "\"weight\":75},"
                + "{\"group\":\"\",\"kind\":\"Service\",\"name\":\"iris-v2\",\"port\":8080,"
                + "\"weight\":25}]}]}");
  }

  @Test
  void withoutACandidateEverythingGoesToTheStableOrToTheModelsService() throws Exception {
    assertThat(json(GatewayObjects.route(md(), "v2", null, 0, null)))
        .endsWith(
            "\"rules\":[{\"backendRefs\":[{\"group\":\"\",\"kind\":\"Service\","
                + "\"name\":\"iris-v2\",\"port\":8080}]}]}");
    assertThat(json(GatewayObjects.route(md(), null, null, 0, null)))
        .endsWith(
            "\"rules\":[{\"backendRefs\":[{\"group\":\"\",\"kind\":\"Service\","
                + "\"name\":\"iris\",\"port\":8080}]}]}");
  }

  @Test
  void aRevisionsServiceSelectsOnlyItsPods() {
    var s = GatewayObjects.revisionService(md(), "v2");
    assertThat(s.getMetadata().getName()).isEqualTo("iris-v2");
    assertThat(s.getSpec().getSelector())
        .isEqualTo(Map.of("modelship.io/name", "iris", "modelship.io/revision", "v2"));
    assertThat(s.getMetadata().getLabels()).containsEntry("modelship.io/revision", "v2");
  }
}
