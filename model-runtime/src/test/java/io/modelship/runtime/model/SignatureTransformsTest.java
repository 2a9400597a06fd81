package io.modelship.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelship.runtime.card.ModelCard;
import io.modelship.runtime.card.ModelCardParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cards with transforms against graphs: the width check counts one-hot columns, a card that does
 * not fit fails at load naming file and feature, and predictions equal the graph fed by hand.
 */
class SignatureTransformsTest {

  static final Path FIXTURES = Path.of("src/test/resources/models");
  static final TensorSpec Y = new TensorSpec("y", Datatype.FP32, new long[] {-1, 1});

  static ModelCard card(String inputs) {
    return ModelCardParser.parse("name: m\ninputs:\n" + inputs, "m.yaml");
  }

  static final String THREE_COLOURS =
      "  - {name: a}\n"
          + "  - {name: c, type: string, transform: {oneHot: {categories: [r, g, b]}}}\n";

  @Test
  void oneHotColumnsCountTowardsTheModelsWidth() {
    ModelSignature s =
        ModelSignature.of(
            card(THREE_COLOURS),
            List.of(new TensorSpec("x", Datatype.FP32, new long[] {-1, 4})),
            List.of(Y),
            "m");
    assertThat(s.layout()).isEqualTo(ModelSignature.Layout.COLUMNS);
  }

  @Test
  void aWidthThatMissesTheExpansionIsRefusedWithTheArithmetic() {
    assertThatThrownBy(
            () ->
                ModelSignature.of(
                    card(THREE_COLOURS),
                    List.of(new TensorSpec("x", Datatype.FP32, new long[] {-1, 2})),
                    List.of(Y),
                    "m"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(
            "inputs: the card declares 2 features that one-hot encoding expands into 4 columns"
                + " (c: 3) but model input 'x' takes 2 columns");
  }

  @Test
  void scaledValuesIntoAnIntegerInputAreRefused() {
    assertThatThrownBy(
            () ->
                ModelSignature.of(
                    card(
                        "  - {name: a, transform: {standardize: {mean: 1, std: 2}}}\n  - {name: b}\n"),
                    List.of(new TensorSpec("x", Datatype.INT64, new long[] {-1, 2})),
                    List.of(Y),
                    "m"))
        .hasMessageContaining(
            "inputs[0].transform.standardize: feature 'a' is scaled to fractional values but"
                + " model input 'x' is INT64");
  }

  @Test
  void oneHotNeedsASingleMatrixInput() {
    assertThatThrownBy(
            () ->
                ModelSignature.of(
                    card(
                        "  - {name: c, type: string, transform: {oneHot: {categories: [r, g]}}}\n"),
                    List.of(new TensorSpec("c", Datatype.BYTES, new long[] {-1, 1})),
                    List.of(Y),
                    "m"))
        .hasMessageContaining(
            "inputs[0].transform.oneHot: feature 'c' expands into 2 columns, which needs a model"
                + " with a single [N, F] input");
  }

  @Test
  void aCardWhoseTransformsDoNotFitFailsAtLoadNamingTheFile(@TempDir Path dir) throws Exception {
    Path model = Files.copy(FIXTURES.resolve("encoded.onnx"), dir.resolve("encoded.onnx"));
    Path card = dir.resolve("wrong.yaml");
    Files.writeString(
        card,
        "name: encoded\ninputs:\n  - {name: a}\n  - {name: c, type: string,"
            + " transform: {oneHot: {categories: [r, g]}}}\n");
    assertThatThrownBy(() -> ServedModel.load(model, card, null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith(card + ": card and model do not match")
        .hasMessageContaining("expands into 3 columns (c: 2) but model input 'x' takes 5 columns");
  }

  @Test
  void predictionsEqualTheGraphFedWithTheTransformedValues(@TempDir Path dir) throws Exception {
    // The same graph without a card takes the five model columns as they are.
    Path bare = Files.copy(FIXTURES.resolve("encoded.onnx"), dir.resolve("bare.onnx"));
    double[] length = {120, 100, 85, 0, 1000};
    double[] weight = {50, 0, 200, 13, 199};
    String[] colour = {"green", "red", "blue", "blue", "red"};
    try (ServedModel withCard = ServedModel.load(FIXTURES.resolve("encoded.onnx"), null, null);
        ServedModel raw = ServedModel.load(bare, null, null)) {
      assertThat(raw.card().derived()).isTrue();
      Prediction p = withCard.predict(new FeatureBatch(5, new Object[] {length, weight, colour}));
      Object[] columns = new Object[5];
      for (int j = 0; j < 5; j++) {
        columns[j] = new double[5];
      }
      for (int r = 0; r < 5; r++) {
        ((double[]) columns[0])[r] = (length[r] - 100) / 10;
        ((double[]) columns[1])[r] = weight[r] / 200;
        ((double[]) columns[2 + List.of("red", "green", "blue").indexOf(colour[r])])[r] = 1;
      }
      Prediction expected = raw.predict(new FeatureBatch(5, columns));
      assertThat(p.values()).containsExactly(expected.values());
      assertThat(p.values()[0]).isEqualTo(7.5);

      var v2 =
          withCard.infer(
              new FeatureBatch(
                  1, new Object[] {new double[] {120}, new double[] {50}, new String[] {"green"}}),
              Set.of("y"));
      assertThat((float[]) v2.get("y").data()).containsExactly(7.5f);
    }
  }
}
