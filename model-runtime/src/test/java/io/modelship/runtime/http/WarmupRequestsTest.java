package io.modelship.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.runtime.api.RequestReader;
import io.modelship.runtime.card.FeatureSpec;
import io.modelship.runtime.card.FeatureType;
import io.modelship.runtime.model.ServedModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The warm-up's requests are valid for every kind of model the runtime serves. */
class WarmupRequestsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../examples/models/iris.onnx",
        "../examples/models/digits.onnx",
        "src/test/resources/models/regressor.onnx",
        "src/test/resources/models/indexed.onnx",
        "src/test/resources/models/strings.onnx",
        "src/test/resources/models/wide.onnx"
      })
  void everyApiAcceptsTheWarmupRowAndTheModelAnswersIt(String file) throws Exception {
    try (ServedModel m = ServedModel.load(Path.of(file), null, null)) {
      RequestReader reader = new RequestReader(m.signature(), 1 << 20);
      List<WarmupRequests.Request> requests = WarmupRequests.of(m.signature());

      assertThat(requests)
          .extracting(WarmupRequests.Request::endpoint)
          .containsExactly(Endpoint.PREDICT, Endpoint.V1_PREDICT, Endpoint.V2_INFER);
      assertThat(requests.get(0).path()).isEqualTo("/models/" + m.name() + "/predict");
      assertThat(requests.get(1).path()).isEqualTo("/v1/models/" + m.name() + ":predict");
      assertThat(requests.get(2).path()).isEqualTo("/v2/models/" + m.name() + "/infer");

      var readable = reader.readable(reader.parse(requests.get(0).body()));
      var v1 = reader.kserveV1(reader.parse(requests.get(1).body()));
      var v2 = reader.v2(reader.parse(requests.get(2).body()));
      assertThat(readable.rows()).isEqualTo(1);
      assertThat(v1.rows()).isEqualTo(1);
      assertThat(m.predict(readable)).isNotNull();
      assertThat(m.predict(v1)).isNotNull();
      assertThat(m.infer(v2.inputs(), v2.outputs())).isNotEmpty();
    }
  }

  @Test
  void irisRowIsTheMiddleOfEachFeaturesBounds() {
    try (ServedModel m = ServedModel.load(Path.of("../examples/models/iris.onnx"), null, null)) {
      String row =
          new String(WarmupRequests.of(m.signature()).get(0).body(), StandardCharsets.UTF_8);
      assertThat(row)
          .isEqualTo("{\"sepal_length\":5,\"sepal_width\":5,\"petal_length\":5,\"petal_width\":5}");
    }
  }

  @Test
  void valueIsTheDefaultThenTheMiddleThenABoundThenZero() {
    assertThat(
            WarmupRequests.value(
                new FeatureSpec("a", FeatureType.INTEGER, 0.0, 500.0, false, 20.0)))
        .isEqualTo(20.0);
    assertThat(WarmupRequests.value(new FeatureSpec("a", FeatureType.FLOAT, 1.0, 2.0, true, null)))
        .isEqualTo(1.5);
    assertThat(
            WarmupRequests.value(new FeatureSpec("a", FeatureType.INTEGER, 1.0, 4.0, true, null)))
        .isEqualTo(2.0);
    assertThat(
            WarmupRequests.value(new FeatureSpec("a", FeatureType.DOUBLE, 3.0, null, true, null)))
        .isEqualTo(3.0);
    assertThat(
            WarmupRequests.value(new FeatureSpec("a", FeatureType.DOUBLE, null, -3.0, true, null)))
        .isEqualTo(-3.0);
    assertThat(WarmupRequests.value(FeatureSpec.required("a", FeatureType.FLOAT))).isEqualTo(0.0);
    assertThat(WarmupRequests.value(FeatureSpec.required("a", FeatureType.BOOLEAN)))
        .isEqualTo(false);
    assertThat(WarmupRequests.value(FeatureSpec.required("a", FeatureType.STRING))).isEqualTo("");
    assertThat(
            WarmupRequests.value(
                new FeatureSpec("a", FeatureType.STRING, null, null, false, "green")))
        .isEqualTo("green");
  }
}
