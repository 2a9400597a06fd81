package io.modelship.runtime.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every endpoint of serve mode on the Iris example, and every class of bad input. */
@QuarkusTest
class PredictEndpointsTest {

  static final String SETOSA =
      "{\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,\"petal_width\":0.2}";
  static final String VIRGINICA =
      "{\"sepal_length\":6.0,\"sepal_width\":2.7,\"petal_length\":5.1,\"petal_width\":1.6}";

  static ValidatableResponse post(String path, String body) {
    return given().contentType(ContentType.JSON).body(body).when().post(path).then();
  }

  @Test
  void readableFormPredictsOneRow() {
    post("/models/iris/predict", SETOSA)
        .statusCode(200)
        .contentType(ContentType.JSON)
        .header("x-modelship-model", "iris")
        .header("x-modelship-revision", matchesPattern("[0-9a-f]{12}"))
        .body("label", equalTo("setosa"))
        .body("probabilities.setosa", greaterThan(0.9f))
        .body("probabilities.keySet()", hasItems("setosa", "versicolor", "virginica"))
        .body("model", equalTo("iris"))
        .body("version", equalTo("1"));
  }

  @Test
  void readableFormPredictsABatch() {
    post("/models/iris/predict", "[" + SETOSA + "," + VIRGINICA + "]")
        .statusCode(200)
        .body("$", hasSize(2))
        .body("label", org.hamcrest.Matchers.contains("setosa", "virginica"));
  }

  @Test
  void kserveV1Predicts() {
    post("/v1/models/iris:predict", "{\"instances\":[[5.1,3.5,1.4,0.2]," + VIRGINICA + "]}")
        .statusCode(200)
        .body("predictions", org.hamcrest.Matchers.contains("setosa", "virginica"));
  }

  @Test
  void openInferenceProtocolV2Infers() {
    post(
            "/v2/models/iris/infer",
            "{\"id\":\"42\",\"inputs\":[{\"name\":\"float_input\",\"shape\":[1,4],"
                + "\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}")
        .statusCode(200)
        .body("model_name", equalTo("iris"))
        .body("model_version", equalTo("1"))
        .body("id", equalTo("42"))
        .body("outputs.find { it.name == 'label' }.data", org.hamcrest.Matchers.contains("setosa"))
        .body("outputs.find { it.name == 'label' }.datatype", equalTo("BYTES"))
        .body(
            "outputs.find { it.name == 'probabilities' }.shape",
            org.hamcrest.Matchers.contains(1, 3));
  }

  @Test
  void v2VersionedPathAndOutputSelection() {
    post(
            "/v2/models/iris/versions/1/infer",
            "{\"inputs\":[{\"name\":\"float_input\",\"shape\":[1,4],\"datatype\":\"FP32\","
                + "\"data\":[[5.1,3.5,1.4,0.2]]}],\"outputs\":[{\"name\":\"label\"}]}")
        .statusCode(200)
        .body("outputs", hasSize(1));
    post("/v2/models/iris/versions/9/infer", "{}")
        .statusCode(404)
        .body("error", containsString("version \"9\""));
  }

  @Test
  void v2MetadataAndServerEndpoints() {
    given()
        .get("/v2/models/iris")
        .then()
        .statusCode(200)
        .body("name", equalTo("iris"))
        .body("versions", org.hamcrest.Matchers.contains("1"))
        .body("platform", equalTo("onnxruntime_onnx"))
        .body("inputs[0].name", equalTo("float_input"))
        .body("inputs[0].shape", org.hamcrest.Matchers.contains(-1, 4))
        .body("parameters.features.name", hasItems("sepal_length", "petal_width"))
        .body(
            "parameters.labels",
            org.hamcrest.Matchers.contains("setosa", "versicolor", "virginica"));
    given().get("/v2").then().statusCode(200).body("name", equalTo("modelship"));
    given().get("/v2/health/live").then().statusCode(200);
    given().get("/v2/health/ready").then().statusCode(200);
    given().get("/v2/models/iris/ready").then().statusCode(200);
    given().get("/v2/models/other/ready").then().statusCode(404);
  }

  @Test
  void healthOpenApiSwaggerAndMetricsAreServed() {
    given().get("/q/health/live").then().statusCode(200);
    given().get("/q/health/ready").then().statusCode(200).body("checks.name", hasItems("model"));
    given()
        .accept("application/json")
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body(
            "paths.keySet()",
            hasItems(
                "/models/{name}/predict", "/v1/models/{name}:predict", "/v2/models/{name}/infer"))
        .body("components.schemas.Features.properties.sepal_length.maximum", equalTo(10.0f))
        .body("components.schemas.Features.required", hasItems("sepal_length"));
    given().get("/q/swagger-ui/").then().statusCode(200);
    post("/models/iris/predict", SETOSA).statusCode(200);
    post("/models/iris/predict", "{}").statusCode(422);
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(
            containsString(
                "modelship_requests_total{endpoint=\"predict\",model=\"iris\",status=\"200\"}"))
        .body(
            containsString(
                "modelship_request_errors_total{endpoint=\"predict\",kind=\"client\",model=\"iris\"}"))
        .body(
            containsString(
                "modelship_request_duration_seconds_bucket{endpoint=\"predict\",model=\"iris\",le=\"0.001\"}"));
  }

  // ------------------------------------------------------------------------------ bad input

  @Test
  void missingFeatureIsNamed() {
    post("/models/iris/predict", "{\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4}")
        .statusCode(422)
        .body("violations[0].field", equalTo("petal_width"))
        .body("violations[0].reason", equalTo("required float feature is missing"));
  }

  @Test
  void wrongTypeIsNamed() {
    post("/models/iris/predict", SETOSA.replace("5.1", "\"5.1\""))
        .statusCode(422)
        .body("violations[0].field", equalTo("sepal_length"))
        .body("violations[0].reason", startsWith("must be a number (got string"));
  }

  @Test
  void outOfRangeIsNamed() {
    post("/models/iris/predict", SETOSA.replace("5.1", "50"))
        .statusCode(422)
        .body("error", equalTo("sepal_length: must be at most 10 (got 50)"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1e400"})
  void nonFiniteNumbersAreNamed(String value) {
    post("/models/iris/predict", SETOSA.replace("0.2", value))
        .statusCode(422)
        .body("violations[0].field", equalTo("petal_width"))
        .body("violations[0].reason", startsWith("must be a finite number"));
  }

  @Test
  void wrongShapeAndDatatypeInV2AreNamed() {
    post(
            "/v2/models/iris/infer",
            "{\"inputs\":[{\"name\":\"float_input\",\"shape\":[1,5],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5]}]}")
        .statusCode(422)
        .body("violations[0].field", equalTo("inputs[0].shape[1]"));
    post(
            "/v2/models/iris/infer",
            "{\"inputs\":[{\"name\":\"float_input\",\"shape\":[1,4],\"datatype\":\"INT64\",\"data\":[1,2,3,4]}]}")
        .statusCode(422)
        .body("violations[0].field", equalTo("inputs[0].datatype"));
  }

  @Test
  void unknownModelIs404() {
    post("/models/roses/predict", SETOSA)
        .statusCode(404)
        .body("error", equalTo("model \"roses\" not found; this runtime serves \"iris\""));
    given().get("/v2/models/roses").then().statusCode(404);
    post("/v1/models/roses:predict", "{}").statusCode(404);
  }

  @Test
  void malformedJsonIs400WithPosition() {
    post("/models/iris/predict", "{\"sepal_length\": 5.1,,}")
        .statusCode(400)
        .body("error", startsWith("malformed JSON at line 1, column"));
  }

  @Test
  void deepNestingIs400() {
    post("/v2/models/iris/infer", "[".repeat(10_000) + "]".repeat(10_000))
        .statusCode(400)
        .body("error", containsString("too deep"));
  }

  @Test
  void emptyBatchEmptyInstancesAndEmptyInputsAre422() {
    post("/models/iris/predict", "[]").statusCode(422);
    post("/v1/models/iris:predict", "{\"instances\":[]}")
        .statusCode(422)
        .body("violations[0].field", equalTo("instances"));
    post("/v2/models/iris/infer", "{\"inputs\":[]}")
        .statusCode(422)
        .body("violations[0].field", equalTo("inputs"));
  }

  @Test
  void emptyBodyIs400() {
    given()
        .contentType(ContentType.JSON)
        .post("/models/iris/predict")
        .then()
        .statusCode(400)
        .body("error", startsWith("request body is empty"));
  }

  @Test
  void wrongMediaTypeIs415() {
    given()
        .contentType("text/csv")
        .body("5.1,3.5,1.4,0.2")
        .post("/models/iris/predict")
        .then()
        .statusCode(415)
        .body("violations[0].field", equalTo("Content-Type"));
  }

  @Test
  void unknownPathIsJson404AndNoStackTracesAnywhere() {
    given().get("/models/iris/predict").then().statusCode(404).contentType(ContentType.JSON);
    post("/models/iris/predict", "{\"sepal_length\":{\"deep\":[1,2,{\"x\":null}]}}")
        .statusCode(422)
        .body(not(containsString("Exception")))
        .body(not(containsString("at io.")));
  }

  @Test
  void everyResponseCarriesModelAndRevisionHeaders() {
    given().get("/q/health/ready").then().header("x-modelship-revision", notNullValue());
    post("/models/iris/predict", "{").statusCode(400).header("x-modelship-model", "iris");
  }
}
