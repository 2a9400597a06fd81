package io.modelship.runtime.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.modelship.runtime.model.FeatureBatch;
import io.modelship.runtime.model.ModelSignature;
import io.modelship.runtime.model.ModelSignatureTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestReaderTest {

  static final ModelSignature IRIS =
      ModelSignature.of(
          ModelSignatureTest.iris(),
          List.of(ModelSignatureTest.IRIS_IN),
          List.of(ModelSignatureTest.LABEL, ModelSignatureTest.PROBA),
          "iris");

  final RequestReader reader = new RequestReader(IRIS, 1 << 20);

  FeatureBatch readable(String json) {
    return reader.readable(reader.parse(json.getBytes(StandardCharsets.UTF_8)));
  }

  ApiException refusal(Runnable r) {
    return catchThrowableOfType(ApiException.class, r::run);
  }

  @Test
  void readsOneRowOfNamedFeaturesInCardOrder() {
    FeatureBatch b =
        readable(
            "{\"petal_width\":0.2,\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4}");
    assertThat(b.rows()).isEqualTo(1);
    assertThat((double[]) b.columns()[0]).containsExactly(5.1);
    assertThat((double[]) b.columns()[3]).containsExactly(0.2);
  }

  @Test
  void readsABatchFromAnArray() {
    String row = "{\"sepal_length\":5,\"sepal_width\":3,\"petal_length\":1,\"petal_width\":0}";
    assertThat(readable("[" + row + "," + row + "]").rows()).isEqualTo(2);
  }

  @Test
  void listsEveryWrongFieldByName() {
    ApiException e =
        refusal(
            () ->
                readable(
                    "{\"sepal_length\":12,\"sepal_width\":\"3\",\"petal_width\":-1,\"colour\":1}"));
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.violations())
        .extracting(Violation::field, Violation::reason)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "colour",
                "unknown feature (this model takes: sepal_length, sepal_width, petal_length,"
                    + " petal_width)"),
            org.assertj.core.groups.Tuple.tuple("sepal_length", "must be at most 10 (got 12)"),
            org.assertj.core.groups.Tuple.tuple(
                "sepal_width", "must be a number (got string \"3\")"),
            org.assertj.core.groups.Tuple.tuple(
                "petal_length", "required float feature is missing"),
            org.assertj.core.groups.Tuple.tuple("petal_width", "must be at least 0 (got -1)"));
    assertThat(e.getMessage())
        .startsWith("colour: unknown feature")
        .endsWith("(and 4 more problems)");
  }

  @Test
  void nanAndInfinityAreNamedNotRejectedAsSyntax() {
    ApiException e =
        refusal(
            () ->
                readable(
                    "{\"sepal_length\":NaN,\"sepal_width\":Infinity,\"petal_length\":1e999,\"petal_width\":1}"));
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.violations())
        .extracting(Violation::field)
        .containsExactly("sepal_length", "sepal_width", "petal_length");
    assertThat(e.violations().get(0).reason()).isEqualTo("must be a finite number (got NaN)");
  }

  @Test
  void batchRowsAreNamedByIndex() {
    String ok = "{\"sepal_length\":5,\"sepal_width\":3,\"petal_length\":1,\"petal_width\":0}";
    ApiException e = refusal(() -> readable("[" + ok + ",{\"sepal_length\":5}, 7]"));
    assertThat(e.violations())
        .extracting(Violation::field)
        .containsExactly("[1].sepal_width", "[1].petal_length", "[1].petal_width", "[2]");
  }

  @Test
  void violationListIsCapped() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < 50; i++) {
      b.append(i > 0 ? "," : "").append("{}");
    }
    ApiException e = refusal(() -> readable(b.append("]").toString()));
    assertThat(e.violations()).hasSize(Violations.LIMIT);
    assertThat(e.getMessage()).contains("and 199 more problems");
  }

  @Test
  void syntaxErrorsAre400WithPosition() {
    ApiException e = refusal(() -> readable("{\"sepal_length\": 5,"));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage()).startsWith("malformed JSON at line 1, column");
    assertThat(refusal(() -> readable("")).getMessage()).startsWith("request body is empty");
    assertThat(refusal(() -> readable("42")).status()).isEqualTo(400);
    assertThat(refusal(() -> readable("{\"a\":1,\"a\":2}")).getMessage())
        .contains("Duplicate field 'a'");
  }

  @Test
  void deepNestingIsRefusedBeforeItCostsAnything() {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    ApiException e = refusal(() -> readable(deep));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage()).contains("too deep");
  }

  @Test
  void emptyBatchAndEmptyInstancesAre422() {
    assertThat(refusal(() -> readable("[]")).status()).isEqualTo(422);
    ApiException e = refusal(() -> reader.kserveV1(reader.parse("{\"instances\":[]}".getBytes())));
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.violations().get(0).field()).isEqualTo("instances");
  }

  @Test
  void kserveV1TakesPositionalAndNamedRows() {
    FeatureBatch b =
        reader.kserveV1(
            reader.parse(
                ("{\"instances\":[[5.1,3.5,1.4,0.2],{\"sepal_length\":6,\"sepal_width\":2.7,"
                        + "\"petal_length\":5.1,\"petal_width\":1.6}]}")
                    .getBytes()));
    assertThat(b.rows()).isEqualTo(2);
    assertThat((double[]) b.columns()[2]).containsExactly(1.4, 5.1);
  }

  @Test
  void kserveV1PositionalRowOfTheWrongLengthIsNamed() {
    ApiException e =
        refusal(() -> reader.kserveV1(reader.parse("{\"instances\":[[1,2,3]]}".getBytes())));
    assertThat(e.violations().get(0).field()).isEqualTo("instances[0]");
    assertThat(e.violations().get(0).reason()).startsWith("has 3 values; this model takes 4");
    assertThat(refusal(() -> reader.kserveV1(reader.parse("{\"rows\":[]}".getBytes()))).status())
        .isEqualTo(400);
  }

  RequestReader.V2Request v2(String json) {
    return reader.v2(reader.parse(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void v2ReadsFlatOrNestedDataAndEchoesTheId() {
    RequestReader.V2Request r =
        v2(
            "{\"id\":\"r1\",\"inputs\":[{\"name\":\"float_input\",\"shape\":[2,4],\"datatype\":\"FP32\","
                + "\"data\":[[5.1,3.5,1.4,0.2],[6,2.7,5.1,1.6]]}],\"outputs\":[{\"name\":\"label\"}]}");
    assertThat(r.id()).isEqualTo("r1");
    assertThat(r.inputs().get(0).shape()).containsExactly(2, 4);
    assertThat((float[]) r.inputs().get(0).data()).hasSize(8).startsWith(5.1f);
    assertThat(r.outputs()).containsExactly("label");
  }

  @Test
  void v2ShapeDatatypeAndRangeProblemsNameTheField() {
    String in =
        "{\"inputs\":[{\"name\":\"float_input\",\"shape\":%s,\"datatype\":\"%s\",\"data\":%s}]}";
    assertThat(refusal(() -> v2(in.formatted("[1,3]", "FP32", "[1,2,3]"))).violations().get(0))
        .isEqualTo(
            new Violation(
                "inputs[0].shape[1]", "must be 4 for input \"float_input\" [N, 4] (got 3)"));
    assertThat(
            refusal(() -> v2(in.formatted("[4]", "FP32", "[1,2,3,4]"))).violations().get(0).field())
        .isEqualTo("inputs[0].shape");
    assertThat(refusal(() -> v2(in.formatted("[1,4]", "FP64", "[1,2,3,4]"))).violations().get(0))
        .isEqualTo(
            new Violation(
                "inputs[0].datatype", "must be FP32 for input \"float_input\" (got FP64)"));
    assertThat(refusal(() -> v2(in.formatted("[1,4]", "FP32", "[1,2,3]"))).violations().get(0))
        .isEqualTo(new Violation("inputs[0].data", "has 3 values but shape [1, 4] needs 4"));
    assertThat(
            refusal(() -> v2(in.formatted("[1,4]", "FP32", "[1,2,3,4,5]")))
                .violations()
                .get(0)
                .field())
        .isEqualTo("inputs[0].data");
    assertThat(refusal(() -> v2(in.formatted("[1,4]", "FP32", "[1,2,3,11]"))).violations().get(0))
        .isEqualTo(
            new Violation("inputs[0].data[3]", "petal_width (row 0) must be at most 10 (got 11)"));
    assertThat(
            refusal(() -> v2(in.formatted("[1,4]", "FP32", "[1,\"2\",3,4]")))
                .violations()
                .get(0)
                .field())
        .isEqualTo("inputs[0].data[1]");
    assertThat(refusal(() -> v2(in.formatted("[0,4]", "FP32", "[]"))).violations().get(0).reason())
        .startsWith("empty tensor");
    assertThat(refusal(() -> v2(in.formatted("[1,-4]", "FP32", "[]"))).violations().get(0).field())
        .isEqualTo("inputs[0].shape[1]");
  }

  @Test
  void v2UnknownMissingDuplicateInputsAndOutputs() {
    assertThat(refusal(() -> v2("{\"inputs\":[]}")).violations().get(0).field())
        .isEqualTo("inputs");
    assertThat(refusal(() -> v2("{}")).status()).isEqualTo(400);
    String good =
        "{\"name\":\"float_input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}";
    assertThat(
            refusal(
                    () ->
                        v2(
                            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}"))
                .violations()
                .get(0)
                .reason())
        .startsWith("unknown input \"x\" (this model takes \"float_input\" FP32[N, 4])");
    assertThat(
            refusal(() -> v2("{\"inputs\":[" + good + "," + good + "]}"))
                .violations()
                .get(0)
                .field())
        .isEqualTo("inputs[1].name");
    assertThat(
            refusal(() -> v2("{\"inputs\":[" + good + "],\"outputs\":[{\"name\":\"logits\"}]}"))
                .violations()
                .get(0))
        .isEqualTo(
            new Violation(
                "outputs[0].name",
                "unknown output \"logits\" (this model has label, probabilities)"));
  }

  @Test
  void bodyThatIsNotAnObjectOrArrayIsRefused() {
    assertThatThrownBy(() -> readable("\"hello\""))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("body must be a JSON object of features");
  }
}
