package io.modelship.operator.dashboard;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.StrategySpec;
import io.modelship.operator.api.StrategyType;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The dashboard turned on, against fabric8's mock API server. */
@QuarkusTest
@TestProfile(DashboardOnTest.On.class)
@WithKubernetesTestServer(crud = true)
class DashboardOnTest {

  public static class On implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("modelship.dashboard.enabled", "true");
    }
  }

  @KubernetesTestServer KubernetesServer server;

  @Test
  void thePageIsServedWithAStrictContentSecurityPolicy() {
    given()
        .get("/dashboard/")
        .then()
        .statusCode(200)
        .header("Content-Type", containsString("text/html"))
        .header("Content-Security-Policy", containsString("script-src 'self'"))
        .body(containsString("<script src=\"dashboard.js\""));
    given().get("/dashboard/dashboard.js").then().statusCode(200);
    given().get("/dashboard/dashboard.css").then().statusCode(200);
  }

  @Test
  void theApiWantsAToken() {
    given()
        .get("/dashboard/api/namespaces/default/modeldeployments")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", "Bearer")
        .body("error", containsString("bearer token"));
    given()
        .header("Authorization", "Basic dXNlcjpwYXNz")
        .post("/dashboard/api/namespaces/default/modeldeployments/x/actions/promote")
        .then()
        .statusCode(401);
  }

  @Test
  void badNamesAndActionsAreRefusedBeforeTheApiServer() {
    given()
        .header("Authorization", "Bearer t")
        .get("/dashboard/api/namespaces/Not_A_Namespace/modeldeployments")
        .then()
        .statusCode(400)
        .body("error", containsString("not a namespace name: Not_A_Namespace"));
    given()
        .header("Authorization", "Bearer t")
        .post("/dashboard/api/namespaces/default/modeldeployments/x/actions/delete")
        .then()
        .statusCode(400)
        .body("error", containsString("unknown action delete"));
  }

  @Test
  void listsAndPatchesWithTheUsersTokenOnly() throws Exception {
    server
        .getClient()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("team-a").endMetadata().build())
        .create();
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(new ObjectMetaBuilder().withName("iris").withNamespace("team-a").build());
    server.getClient().resource(md).create();
    drain();

    given()
        .header("Authorization", "Bearer user-token-1")
        .get("/dashboard/api/namespaces/team-a/modeldeployments")
        .then()
        .statusCode(200)
        .header("Cache-Control", "no-store")
        .body("items[0].metadata.name", equalTo("iris"));
    given()
        .header("Authorization", "Bearer user-token-1")
        .post("/dashboard/api/namespaces/team-a/modeldeployments/iris/actions/promote")
        .then()
        .statusCode(200)
        .body("object.metadata.annotations.'modelship.io/action'", equalTo("promote"));

    List<RecordedRequest> mine = new ArrayList<>();
    for (RecordedRequest r : drain()) {
      if (r.getPath().startsWith("/apis/modelship.io/v1alpha1/namespaces/team-a/modeldeployments")
          && !r.getPath().contains("watch=true")
          && "Bearer user-token-1".equals(r.getHeader("Authorization"))) {
        mine.add(r);
      }
    }
    assertThat(mine).extracting(RecordedRequest::getMethod).contains("GET", "PATCH");
    assertThat(mine)
        .filteredOn(r -> r.getMethod().equals("PATCH"))
        .allSatisfy(
            r ->
                assertThat(r.getHeader("Content-Type")).startsWith("application/merge-patch+json"));
  }

  /**
   * The rule itself is SetWeightRequestTest's; the taken request (the annotation patched with the
   * user's token, the traffic moved) is checked by e2e/dashboard-e2e.sh on a real API server. Here
   * the operator of the test reconciles too, so only what it cannot change is asserted: a
   * ModelDeployment that rolls nothing out refuses a weight, with the operator's reason.
   */
  @Test
  void setWeightIsCheckedWithTheOperatorsRuleBeforeAnyPatch() {
    server
        .getClient()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("team-b").endMetadata().build())
        .create();
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(new ObjectMetaBuilder().withName("iris").withNamespace("team-b").build());
    md.setSpec(new ModelDeploymentSpec());
    md.getSpec().strategy = new StrategySpec();
    md.getSpec().strategy.type = StrategyType.Canary;
    server.getClient().resource(md).create();
    String url = "/dashboard/api/namespaces/team-b/modeldeployments/iris/set-weight/";

    given()
        .header("Authorization", "Bearer u")
        .post(url + "101")
        .then()
        .statusCode(400)
        .body("error", equalTo("set-weight takes a whole percent from 0 to 100, not 101"));
    given()
        .header("Authorization", "Bearer u")
        .post(url + "70")
        .then()
        .statusCode(409)
        .body("error", equalTo("no Canary rollout is in progress"));
    given()
        .header("Authorization", "Bearer u")
        .post("/dashboard/api/namespaces/team-b/modeldeployments/nope/set-weight/70")
        .then()
        .statusCode(404)
        .body("error", equalTo("modeldeployment nope not found in namespace team-b"));
    assertThat(
            server
                .getClient()
                .resources(ModelDeployment.class)
                .inNamespace("team-b")
                .withName("iris")
                .get()
                .getMetadata()
                .getAnnotations())
        .doesNotContainKey("modelship.io/set-weight");
  }

  private List<RecordedRequest> drain() throws InterruptedException {
    List<RecordedRequest> all = new ArrayList<>();
    RecordedRequest r;
    while ((r = server.getKubernetesMockServer().takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
      all.add(r);
    }
    return all;
  }
}
