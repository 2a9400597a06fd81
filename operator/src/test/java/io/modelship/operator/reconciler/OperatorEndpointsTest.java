package io.modelship.operator.reconciler;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/** What Kubernetes probes and Prometheus scrape on the operator. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorEndpointsTest {

  @Test
  void healthIsUp() {
    given().get("/q/health/live").then().statusCode(200);
    given().get("/q/health/ready").then().statusCode(200);
  }

  @Test
  void metricsCountModelDeploymentsByPhaseAndReconciles() {
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("modelship_modeldeployments{phase=\"Healthy\"}"))
        .body(containsString("modelship_reconciles_total{phase="));
  }
}
