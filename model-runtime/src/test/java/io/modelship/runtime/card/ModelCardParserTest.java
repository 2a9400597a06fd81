package io.modelship.runtime.card;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelCardParserTest {

  @Test
  void readsTheIrisExampleCard() {
    ModelCard card = ModelCardParser.read(Path.of("../examples/models/iris.yaml"));
    assertThat(card.name()).isEqualTo("iris");
    assertThat(card.version()).isEqualTo("1");
    assertThat(card.inputs())
        .extracting(FeatureSpec::name)
        .containsExactly("sepal_length", "sepal_width", "petal_length", "petal_width");
    assertThat(card.inputs())
        .allSatisfy(
            f -> {
              assertThat(f.type()).isEqualTo(FeatureType.FLOAT);
              assertThat(f.min()).isEqualTo(0.0);
              assertThat(f.max()).isEqualTo(10.0);
              assertThat(f.required()).isTrue();
            });
    assertThat(card.labels()).containsExactly("setosa", "versicolor", "virginica");
  }

  @Test
  void defaultsTypeToFloatVersionTo1AndAcceptsNumericVersion() {
    ModelCard card = ModelCardParser.parse("name: m\nversion: 2\ninputs: [{name: a}]\n", "m.yaml");
    assertThat(card.version()).isEqualTo("2");
    assertThat(card.inputs().get(0).type()).isEqualTo(FeatureType.FLOAT);
    assertThat(ModelCardParser.parse("name: m\n", "m.yaml").version()).isEqualTo("1");
  }

  @Test
  void optionalFeatureKeepsItsDefault() {
    ModelCard card =
        ModelCardParser.parse(
            "name: m\ninputs: [{name: a, type: integer, required: false, default: 3, min: 0}]\n",
            "m.yaml");
    assertThat(card.inputs().get(0).defaultValue()).isEqualTo(3.0);
    assertThat(card.inputs().get(0).required()).isFalse();
  }

  static Stream<Arguments> badCards() {
    return Stream.of(
        Arguments.of("missing name", "version: \"1\"", "name: required"),
        Arguments.of("bad name", "name: Iris Model", "name: must be 1-63 lower-case"),
        Arguments.of("wrong format", "name: m\nformat: pmml", "format: must be onnx"),
        Arguments.of("unknown top-level field", "name: m\nlabels: [a]", "labels: unknown field"),
        Arguments.of("inputs not a list", "name: m\ninputs: {a: 1}", "inputs: must be a list"),
        Arguments.of(
            "unknown type",
            "name: m\ninputs: [{name: a, type: number}]",
            "inputs[0].type: must be one of float, double, integer, boolean, string"),
        Arguments.of(
            "min above max",
            "name: m\ninputs: [{name: a, min: 5, max: 1}]",
            "inputs[0]: min (5.0) must not be greater than max (1.0)"),
        Arguments.of(
            "non-numeric min",
            "name: m\ninputs: [{name: a, min: low}]",
            "inputs[0].min: must be a finite number"),
        Arguments.of(
            "duplicate feature",
            "name: m\ninputs: [{name: a}, {name: a}]",
            "inputs[1].name: duplicate feature name"),
        Arguments.of(
            "range on string",
            "name: m\ninputs: [{name: a, type: string, max: 3}]",
            "inputs[0]: min/max only apply to numeric types"),
        Arguments.of(
            "optional without default",
            "name: m\ninputs: [{name: a, required: false}]",
            "inputs[0].default: an optional feature needs a default"),
        Arguments.of(
            "default out of range",
            "name: m\ninputs: [{name: a, required: false, default: 9, max: 1}]",
            "inputs[0].default: 9.0 lies outside"),
        Arguments.of(
            "typo in feature field",
            "name: m\ninputs: [{name: a, maximum: 3}]",
            "inputs[0].maximum: unknown field"),
        Arguments.of(
            "duplicate label",
            "name: m\noutputs: {labels: [a, a]}",
            "outputs.labels[1]: duplicate label"),
        Arguments.of(
            "feature without name",
            "name: m\ninputs: [{type: float}]",
            "inputs[0].name: required"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badCards")
  void refusesABadCardNamingTheField(String why, String yaml, String expected) {
    assertThatThrownBy(() -> ModelCardParser.parse(yaml.replace("\\n", "\n"), "card.yaml"))
        .isInstanceOf(CardException.class)
        .hasMessageStartingWith("card.yaml: ")
        .hasMessageContaining(expected);
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThatThrownBy(
            () -> ModelCardParser.parse("name: M\ninputs: [{name: a, type: x}, {}]\n", "c.yaml"))
        .hasMessageContaining("name: must be")
        .hasMessageContaining("inputs[0].type")
        .hasMessageContaining("inputs[1].name: required");
  }

  @Test
  void brokenYamlSaysWhere() {
    assertThatThrownBy(() -> ModelCardParser.parse("name: m\ninputs: [\n", "c.yaml"))
        .isInstanceOf(CardException.class)
        .hasMessageContaining("c.yaml: not valid YAML at line");
  }

  @Test
  void missingCardFileIsNamed() {
    assertThatThrownBy(() -> ModelCardParser.read(Path.of("no/such/card.yaml")))
        .hasMessage("no/such/card.yaml: model card not found");
  }
}
