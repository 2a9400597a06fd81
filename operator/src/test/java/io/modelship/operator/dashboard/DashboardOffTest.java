package io.modelship.operator.dashboard;

import static io.restassured.RestAssured.given;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/** The dashboard is off unless modelship.dashboard.enabled is true: nothing of it answers. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DashboardOffTest {

  @Test
  void pagesAndApiAreNotFoundByDefault() {
    for (String path :
        new String[] {
          "/dashboard",
          "/dashboard/",
          "/dashboard/dashboard.js",
          "/dashboard/dashboard.css",
          "/dashboard/index.html",
          "/dashboard/api/namespaces",
          "/dashboard/api/namespaces/default/modeldeployments"
        }) {
      given().header("Authorization", "Bearer abc").get(path).then().statusCode(404);
    }
    given()
        .header("Authorization", "Bearer abc")
        .post("/dashboard/api/namespaces/default/modeldeployments/x/actions/promote")
        .then()
        .statusCode(404);
  }
}
