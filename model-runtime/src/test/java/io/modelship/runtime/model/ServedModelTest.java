package io.modelship.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelship.runtime.card.CardException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real ONNX Runtime on the example model and the hand-built fixtures. */
class ServedModelTest {
  static final Path FIXTURES = Path.of("src/test/resources/models");
  static final Path IRIS = Path.of("../examples/models/iris.onnx");

  @Test
  void irisPredictsSetosaWithProbabilitiesInLabelOrder() throws Exception {
    try (ServedModel m = ServedModel.load(IRIS, null, null)) {
      assertThat(m.name()).isEqualTo("iris");
      assertThat(m.revision()).hasSize(12).isEqualTo(m.sha256().substring(0, 12));
      Prediction p =
          m.predict(
              new FeatureBatch(
                  2,
                  new Object[] {
                    new double[] {5.1, 6.0},
                    new double[] {3.5, 2.7},
                    new double[] {1.4, 5.1},
                    new double[] {0.2, 1.6}
                  }));
      assertThat(p.labels()).containsExactly("setosa", "virginica");
      assertThat(p.probabilities()).hasSize(6);
      assertThat(p.probabilities()[0]).isGreaterThan(0.9f);
    }
  }

  @Test
  void explicitRevisionAndCardWin() {
    try (ServedModel m =
        ServedModel.load(IRIS, Path.of("../examples/models/iris-v2.yaml"), "rev-7")) {
      assertThat(m.revision()).isEqualTo("rev-7");
      assertThat(m.version()).isEqualTo("2");
    }
  }

  @Test
  void perInputRegressorFeedsEachFeatureAsItsOwnTensor() throws Exception {
    try (ServedModel m = ServedModel.load(FIXTURES.resolve("regressor.onnx"), null, null)) {
      assertThat(m.name()).isEqualTo("houses");
      assertThat(m.signature().layout()).isEqualTo(ModelSignature.Layout.PER_INPUT);
      Prediction p =
          m.predict(new FeatureBatch(1, new Object[] {new double[] {3}, new double[] {10}}));
      assertThat(p.values()).containsExactly(75.0);
      assertThat(p.labels()).isNull();
    }
  }

  @Test
  void integerClassIndexIsNamedByTheCardLabels() throws Exception {
    try (ServedModel m = ServedModel.load(FIXTURES.resolve("indexed.onnx"), null, null)) {
      Prediction p =
          m.predict(new FeatureBatch(2, new Object[] {new double[] {2, 0}, new double[] {0, 2}}));
      assertThat(p.labels()).containsExactly("red", "green");
    }
  }

  @Test
  void stringInputsWithoutACardAreDerivedFromTheGraph() throws Exception {
    try (ServedModel m = ServedModel.load(FIXTURES.resolve("strings.onnx"), null, null)) {
      assertThat(m.card().derived()).isTrue();
      assertThat(m.name()).isEqualTo("strings");
      Prediction p =
          m.predict(new FeatureBatch(1, new Object[] {new String[] {"green"}, new double[] {0.5}}));
      assertThat(p.values()).containsExactly(2.5);
    }
  }

  @Test
  void doubleMatrixWithoutCardGetsColumnFeatures() throws Exception {
    try (ServedModel m = ServedModel.load(FIXTURES.resolve("wide.onnx"), null, null)) {
      assertThat(m.card().inputs()).extracting(f -> f.name()).containsExactly("x0", "x1", "x2");
      Prediction p =
          m.predict(
              new FeatureBatch(
                  1, new Object[] {new double[] {1}, new double[] {2}, new double[] {3}}));
      assertThat(p.values()).containsExactly(6.0);
      Tensor t = new Tensor("features", Datatype.FP64, new long[] {1, 3}, new double[] {1, 2, 3});
      assertThat((double[]) m.infer(List.of(t), Set.of("total")).get("total").data())
          .containsExactly(6.0);
    }
  }

  @Test
  void missingModelFileSaysSo() {
    assertThatThrownBy(() -> ServedModel.load(Path.of("no/such/model.onnx"), null, null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("no/such/model.onnx: model file not found");
  }

  @Test
  void corruptModelFileSaysWhichFileAndWhy(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.onnx");
    Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    assertThatThrownBy(() -> ServedModel.load(bad, null, null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageStartingWith(bad + ": not a loadable ONNX model: ");
  }

  @Test
  void cardBesideTheModelIsFoundAndABrokenOneStopsTheLoad(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("m.onnx");
    Files.copy(IRIS, model);
    Files.writeString(dir.resolve("m.yaml"), "name: m\ninputs: [{name: a, max: }]\nfoo: 1\n");
    assertThatThrownBy(() -> ServedModel.load(model, null, null))
        .isInstanceOf(CardException.class)
        .hasMessageContaining(dir.resolve("m.yaml") + ": invalid model card")
        .hasMessageContaining("foo: unknown field");
  }

  @Test
  void cardThatDoesNotFitTheGraphNamesBoth(@TempDir Path dir) throws Exception {
    Path card = dir.resolve("c.yaml");
    Files.writeString(card, "name: iris\ninputs: [{name: a}, {name: b}]\n");
    assertThatThrownBy(() -> ServedModel.load(IRIS, card, null))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(card + ": card and model do not match")
        .hasMessageContaining("declares 2 features but model input 'float_input' takes 4");
  }
}
