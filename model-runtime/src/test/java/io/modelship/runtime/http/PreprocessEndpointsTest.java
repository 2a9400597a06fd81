package io.modelship.runtime.http;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A card with every transform, served over the three APIs with dynamic batching on: the model sees
 * transformed values (y = x · [1, 2, 3, 5, 7] of the fixture), validation judges the raw ones, and
 * the warm-up's requests pass before the runtime turns ready.
 */
@QuarkusTest
@TestProfile(PreprocessEndpointsTest.Encoded.class)
class PreprocessEndpointsTest {

  public static class Encoded implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "modelship.model", "src/test/resources/models/encoded.onnx",
          "modelship.warmup.requests", "3",
          "modelship.batching.max-batch-size", "4",
          "modelship.batching.max-delay-ms", "1");
    }
  }

  @Inject ModelService service;

  static ValidatableResponse post(String path, String body) {
    return given().contentType(ContentType.JSON).body(body).when().post(path).then();
  }

  // length_mm 120 -> 2; weight 50 (default) -> 0.25; green -> [0, 1, 0]: 2 + 0.5 + 5 = 7.5
  static final String ROW = "{\"length_mm\":120,\"colour\":\"green\"}";
  // length_mm 80 -> -2; weight 200 -> 1; blue -> [0, 0, 1]: -2 + 2 + 7 = 7
  static final String ROW2 = "{\"length_mm\":80,\"weight\":200,\"colour\":\"blue\"}";

  @Test
  void warmUpPassesThroughTheTransforms() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!service.ready()) {
      assertThat(System.nanoTime()).as("ready within 30 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void readableFormIsTransformedWithTheDefaultFilledIn() {
    post("/models/encoded/predict", ROW).statusCode(200).body("prediction", equalTo(7.5f));
    post("/models/encoded/predict", "[" + ROW + "," + ROW2 + "]")
        .statusCode(200)
        .body("prediction", contains(7.5f, 7.0f));
  }

  @Test
  void kserveV1NamedAndPositionalRowsTakeRawValues() {
    post("/v1/models/encoded:predict", "{\"instances\":[" + ROW + ",[80,200,\"blue\"]]}")
        .statusCode(200)
        .body("predictions", contains(7.5f, 7.0f));
  }

  @Test
  void v2TakesOneRawTensorPerFeatureAndMissingOptionalsGetTheirDefault() {
    post(
            "/v2/models/encoded/infer",
            """
            {"id": "r1", "inputs": [
              {"name": "length_mm", "shape": [2], "datatype": "FP32", "data": [120, 80]},
              {"name": "colour", "shape": [2, 1], "datatype": "BYTES", "data": [["green"], ["blue"]]}
            ]}""")
        .statusCode(200)
        .body("id", equalTo("r1"))
        .body("outputs[0].name", equalTo("y"))
        // row 2 has weight 50 here (default): -2 + 0.5 + 7 = 5.5
        .body("outputs[0].data", contains(7.5f, 5.5f));
  }

  @Test
  void v2MetadataListsTheFeatureTensors() {
    given()
        .get("/v2/models/encoded")
        .then()
        .statusCode(200)
        .body("inputs.name", contains("length_mm", "weight", "colour"))
        .body("inputs.datatype", contains("FP32", "FP32", "BYTES"))
        .body("parameters.features.transform", contains("standardize", "minMax", "oneHot"));
  }

  @Test
  void v2RefusesTheGraphsOwnTensorAndNamesTheFeatureTensors() {
    post(
            "/v2/models/encoded/infer",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,5],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5]}]}")
        .statusCode(422)
        .body("violations.field", hasItem("inputs[0].name"))
        .body(
            "violations.reason",
            hasItem(containsString("one tensor per feature: \"length_mm\" FP32[N]")));
  }

  @Test
  void unknownCategoriesAreRefusedOnEveryApi() {
    post("/models/encoded/predict", "{\"length_mm\":120,\"colour\":\"purple\"}")
        .statusCode(422)
        .body("violations[0].field", equalTo("colour"))
        .body(
            "violations[0].reason",
            equalTo("unknown category \"purple\" (this model knows: red, green, blue)"));
    post("/v1/models/encoded:predict", "{\"instances\":[[120, 1, \"purple\"]]}")
        .statusCode(422)
        .body("violations[0].field", equalTo("instances[0][2]"));
    post(
            "/v2/models/encoded/infer",
            "{\"inputs\":[{\"name\":\"length_mm\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]},"
                + "{\"name\":\"colour\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"purple\"]}]}")
        .statusCode(422)
        .body("violations[0].field", equalTo("inputs[1].data[0]"))
        .body("violations[0].reason", containsString("unknown category \"purple\""));
  }

  @Test
  void rangesAreCheckedOnTheRawValueBeforeTheTransform() {
    // length_mm is declared 0..1000 in millimetres; 1200 is out of range even though the model
    // would have seen a harmless (1200 - 100) / 10 = 110.
    post("/models/encoded/predict", "{\"length_mm\":1200,\"colour\":\"red\"}")
        .statusCode(422)
        .body("violations[0].field", equalTo("length_mm"))
        .body("violations[0].reason", equalTo("must be at most 1000 (got 1200)"));
    post(
            "/v2/models/encoded/infer",
            "{\"inputs\":[{\"name\":\"length_mm\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[-5]},"
                + "{\"name\":\"colour\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"red\"]}]}")
        .statusCode(422)
        .body("violations[0].reason", containsString("must be at least 0 (got -5)"));
  }

  @Test
  void v2WithoutARequiredFeatureSaysWhichOne() {
    post(
            "/v2/models/encoded/infer",
            "{\"inputs\":[{\"name\":\"length_mm\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}")
        .statusCode(422)
        .body("violations[0].field", equalTo("inputs"))
        .body("violations[0].reason", equalTo("missing input \"colour\" (\"colour\" BYTES[N])"));
  }
}
