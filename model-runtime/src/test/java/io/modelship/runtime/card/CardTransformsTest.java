package io.modelship.runtime.card;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code transform} field of a card's features: what is read, and what is refused. */
class CardTransformsTest {

  @Test
  void readsEachTransformFromTheTestFixtureCard() {
    ModelCard card = ModelCardParser.read(Path.of("src/test/resources/models/encoded.yaml"));
    assertThat(card.hasTransforms()).isTrue();
    assertThat(card.inputs().get(0).transform()).isEqualTo(new Transform.Standardize(100, 10));
    assertThat(card.inputs().get(1).transform()).isEqualTo(new Transform.MinMax(0, 200));
    assertThat(card.inputs().get(1).defaultValue()).isEqualTo(50.0);
    Transform.OneHot colour = card.inputs().get(2).oneHot();
    assertThat(colour.categories()).containsExactly("red", "green", "blue");
    assertThat(colour.ignoreUnknown()).isFalse();
    assertThat(colour.indexOf("blue")).isEqualTo(2);
    assertThat(colour.indexOf("purple")).isEqualTo(-1);
    assertThat(card.inputs()).extracting(FeatureSpec::width).containsExactly(1, 1, 3);
  }

  @Test
  void unknownIgnoreIsReadAndAnUnknownDefaultIsThenAllowed() {
    ModelCard card =
        ModelCardParser.parse(
            "name: m\ninputs: [{name: c, type: string, required: false, default: other,"
                + " transform: {oneHot: {categories: [a, b], unknown: ignore}}}]\n",
            "m.yaml");
    assertThat(card.inputs().get(0).oneHot().ignoreUnknown()).isTrue();
  }

  @Test
  void cardsWithoutTransformsSayso() {
    assertThat(ModelCardParser.parse("name: m\ninputs: [{name: a}]\n", "m.yaml").hasTransforms())
        .isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{name: a, transform: {standardize: {mean: 1, std: 0}}}"
            + " | inputs[0].transform.standardize.std: must be greater than 0 (got 0.0)",
        "{name: a, transform: {standardize: {mean: 1, std: -2}}}"
            + " | inputs[0].transform.standardize.std: must be greater than 0",
        "{name: a, transform: {standardize: {std: 2}}} | inputs[0].transform.standardize.mean: required",
        "{name: a, transform: {standardize: {mean: x, std: 2}}}"
            + " | inputs[0].transform.standardize.mean: must be a finite number",
        "{name: a, transform: {minMax: {min: 3, max: 3}}}"
            + " | inputs[0].transform.minMax: min (3.0) must be less than max (3.0)",
        "{name: a, transform: {minMax: {min: 0}}} | inputs[0].transform.minMax.max: required",
        "{name: a, transform: {minMax: {min: 0, max: 1, clip: true}}}"
            + " | inputs[0].transform.minMax.clip: unknown field",
        "{name: a, transform: {log: {}}} | inputs[0].transform.log: unknown transform (known: minMax,"
            + " oneHot, standardize)",
        "{name: a, transform: {standardize: {mean: 0, std: 1}, minMax: {min: 0, max: 1}}}"
            + " | inputs[0].transform: must be a mapping with exactly one of",
        "{name: a, transform: standardize} | inputs[0].transform: must be a mapping with exactly one",
        "{name: a, type: string, transform: {standardize: {mean: 0, std: 1}}}"
            + " | inputs[0].transform.standardize: only applies to numeric features (type is string)",
        "{name: a, transform: {oneHot: {categories: [x]}}}"
            + " | inputs[0].transform.oneHot: only applies to string features (type is float)",
        "{name: a, type: string, transform: {oneHot: {categories: []}}}"
            + " | inputs[0].transform.oneHot.categories: required: a non-empty list of strings",
        "{name: a, type: string, transform: {oneHot: {}}}"
            + " | inputs[0].transform.oneHot.categories: required",
        "{name: a, type: string, transform: {oneHot: {categories: [x, y, x]}}}"
            + " | inputs[0].transform.oneHot.categories[2]: duplicate category \"x\"",
        "{name: a, type: string, transform: {oneHot: {categories: [x, 3]}}}"
            + " | inputs[0].transform.oneHot.categories[1]: must be a string (got 3)",
        "{name: a, type: string, transform: {oneHot: {categories: [x], unknown: skip}}}"
            + " | inputs[0].transform.oneHot.unknown: must be error (the default) or ignore",
        "{name: a, type: string, required: false, default: z, transform: {oneHot: {categories: [x,"
            + " y]}}} | inputs[0].default: \"z\" is not one of the oneHot categories [x, y]",
      })
  void malformedTransformsAreRefusedNamingTheField(String feature, String expected) {
    assertThatThrownBy(
            () -> ModelCardParser.parse("name: m\ninputs:\n  - " + feature + "\n", "card.yaml"))
        .isInstanceOf(CardException.class)
        .hasMessageStartingWith("card.yaml: invalid model card")
        .hasMessageContaining(expected.strip());
  }
}
