package io.modelship.runtime.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** API keys and a small body limit, as a production deployment would run. */
@QuarkusTest
@TestProfile(HardenedRuntimeTest.Hardened.class)
class HardenedRuntimeTest {

  public static class Hardened implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "modelship.api-keys-file", "src/test/resources/api-keys.txt",
          "modelship.max-body-bytes", "4096",
          "modelship.revision", "rev-abc");
    }
  }

  static final String SETOSA = PredictEndpointsTest.SETOSA;

  @Test
  void missingKeyIs401WithChallenge() {
    given()
        .contentType(ContentType.JSON)
        .body(SETOSA)
        .post("/models/iris/predict")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", "Bearer realm=\"modelship\"")
        .body("error", containsString("authentication required"));
  }

  @Test
  void wrongKeyIs401() {
    given()
        .contentType(ContentType.JSON)
        .header("Authorization", "Bearer not-a-valid-key-at-all")
        .body(SETOSA)
        .post("/models/iris/predict")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", containsString("invalid_token"));
    given()
        .header("x-api-key", "modelship-test-key-000")
        .get("/v2/models/iris")
        .then()
        .statusCode(401);
  }

  @Test
  void bearerTokenOrApiKeyHeaderIsAccepted() {
    given()
        .contentType(ContentType.JSON)
        .header("Authorization", "Bearer modelship-test-key-0001")
        .body(SETOSA)
        .post("/models/iris/predict")
        .then()
        .statusCode(200)
        .header("x-modelship-revision", "rev-abc")
        .body("label", equalTo("setosa"));
    given()
        .contentType(ContentType.JSON)
        .header("x-api-key", "modelship-test-key-0002")
        .body("{\"instances\":[[5.1,3.5,1.4,0.2]]}")
        .post("/v1/models/iris:predict")
        .then()
        .statusCode(200);
  }

  @Test
  void healthAndReadinessStayOpen() {
    given().get("/q/health/ready").then().statusCode(200);
    given().get("/v2/health/ready").then().statusCode(200);
    given().get("/v2/models/iris/ready").then().statusCode(200);
    given().get("/q/metrics").then().statusCode(200);
  }

  @Test
  void oversizeBodyIs413WithJsonBeforeItIsRead() {
    String big = "[" + (SETOSA + ",").repeat(100) + SETOSA + "]";
    given()
        .contentType(ContentType.JSON)
        .header("x-api-key", "modelship-test-key-0001")
        .body(big)
        .post("/models/iris/predict")
        .then()
        .statusCode(413)
        .body("error", containsString("larger than the limit of 4096 bytes"));
  }

  @Test
  void authIsCheckedBeforeAnythingElseIsRevealed() {
    given()
        .contentType(ContentType.JSON)
        .body("{")
        .post("/models/secret/predict")
        .then()
        .statusCode(401);
  }
}
