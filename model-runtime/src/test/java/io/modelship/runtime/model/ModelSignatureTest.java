package io.modelship.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelship.runtime.card.FeatureSpec;
import io.modelship.runtime.card.FeatureType;
import io.modelship.runtime.card.ModelCard;
import io.modelship.runtime.card.ModelCardParser;
import java.util.List;
import org.junit.jupiter.api.Test;

public class ModelSignatureTest {

  public static final TensorSpec IRIS_IN =
      new TensorSpec("float_input", Datatype.FP32, new long[] {-1, 4});
  public static final TensorSpec LABEL = new TensorSpec("label", Datatype.BYTES, new long[] {-1});
  public static final TensorSpec PROBA =
      new TensorSpec("probabilities", Datatype.FP32, new long[] {-1, 3});

  /** The Iris example card, inline so signature tests need no files. */
  public static ModelCard iris() {
    return ModelCardParser.parse(
        """
        name: iris
        inputs:
          - {name: sepal_length, min: 0, max: 10}
          - {name: sepal_width, min: 0, max: 10}
          - {name: petal_length, min: 0, max: 10}
          - {name: petal_width, min: 0, max: 10}
        outputs: {labels: [setosa, versicolor, virginica]}
        """,
        "iris.yaml");
  }

  @Test
  void cardFeaturesBecomeColumnsOfASingleMatrixInput() {
    ModelSignature s = ModelSignature.of(iris(), List.of(IRIS_IN), List.of(LABEL, PROBA), "x");
    assertThat(s.layout()).isEqualTo(ModelSignature.Layout.COLUMNS);
    assertThat(s.kind()).isEqualTo(ModelSignature.Kind.CLASSIFIER);
    assertThat(s.labelOutput()).isEqualTo(LABEL);
    assertThat(s.probabilityOutput()).isEqualTo(PROBA);
    assertThat(s.classNames()).containsExactly("setosa", "versicolor", "virginica");
  }

  @Test
  void featuresNamedLikeInputsAreFedOnePerInput() {
    ModelCard card =
        ModelCardParser.parse(
            "name: h\ninputs: [{name: rooms}, {name: age, type: integer}]\n", "h.yaml");
    ModelSignature s =
        ModelSignature.of(
            card,
            List.of(
                new TensorSpec("rooms", Datatype.FP32, new long[] {-1, 1}),
                new TensorSpec("age", Datatype.INT64, new long[] {-1, 1})),
            List.of(new TensorSpec("price", Datatype.FP32, new long[] {-1, 1})),
            "h");
    assertThat(s.layout()).isEqualTo(ModelSignature.Layout.PER_INPUT);
    assertThat(s.kind()).isEqualTo(ModelSignature.Kind.REGRESSOR);
    assertThat(s.valueOutput().name()).isEqualTo("price");
  }

  @Test
  void withoutACardFeaturesAreDerivedFromTheGraph() {
    ModelSignature s = ModelSignature.of(null, List.of(IRIS_IN), List.of(LABEL, PROBA), "flowers");
    assertThat(s.card().derived()).isTrue();
    assertThat(s.card().name()).isEqualTo("flowers");
    assertThat(s.card().inputs())
        .extracting(FeatureSpec::name)
        .containsExactly("x0", "x1", "x2", "x3");
    assertThat(s.classNames()).containsExactly("0", "1", "2");
  }

  @Test
  void cardWithTheWrongNumberOfFeaturesIsRefused() {
    ModelCard card = ModelCardParser.parse("name: m\ninputs: [{name: a}, {name: b}]\n", "m.yaml");
    assertThatThrownBy(() -> ModelSignature.of(card, List.of(IRIS_IN), List.of(LABEL, PROBA), "m"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("the card declares 2 features but model input 'float_input' takes 4");
  }

  @Test
  void cardWithTheWrongNumberOfLabelsIsRefused() {
    ModelCard card =
        ModelCardParser.parse(
            "name: m\ninputs: [{name: a},{name: b},{name: c},{name: d}]\noutputs: {labels: [x, y]}\n",
            "m.yaml");
    assertThatThrownBy(() -> ModelSignature.of(card, List.of(IRIS_IN), List.of(LABEL, PROBA), "m"))
        .hasMessageContaining("the card lists 2 labels but output 'probabilities' has 3");
  }

  @Test
  void stringFeatureCannotBeAColumnOfAFloatMatrix() {
    ModelCard card =
        ModelCardParser.parse(
            "name: m\ninputs: [{name: a},{name: b},{name: c},{name: d, type: string}]\n", "m.yaml");
    assertThatThrownBy(() -> ModelSignature.of(card, List.of(IRIS_IN), List.of(LABEL, PROBA), "m"))
        .hasMessageContaining("inputs[3].type: string cannot be a column of 'float_input'");
  }

  @Test
  void featuresMatchingNothingAreRefusedWithBothNameLists() {
    ModelCard card = ModelCardParser.parse("name: m\ninputs: [{name: a}]\n", "m.yaml");
    List<TensorSpec> two =
        List.of(
            new TensorSpec("p", Datatype.FP32, new long[] {-1, 1}),
            new TensorSpec("q", Datatype.FP32, new long[] {-1, 1}));
    assertThatThrownBy(() -> ModelSignature.of(card, two, List.of(LABEL), "m"))
        .hasMessageContaining("the card's features [a] match neither the model's inputs [p, q]");
  }

  @Test
  void booleanFeatureNeedsABoolInput() {
    ModelCard card =
        ModelCardParser.parse("name: m\ninputs: [{name: flag, type: boolean}]\n", "m.yaml");
    assertThatThrownBy(
            () ->
                ModelSignature.of(
                    card,
                    List.of(new TensorSpec("flag", Datatype.FP32, new long[] {-1})),
                    List.of(LABEL),
                    "m"))
        .hasMessageContaining(
            "inputs[0].type: boolean cannot feed model input 'flag' of type FP32");
    assertThat(FeatureType.BOOLEAN.isNumeric()).isFalse();
  }
}
