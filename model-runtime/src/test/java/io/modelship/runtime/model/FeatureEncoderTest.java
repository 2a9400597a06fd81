package io.modelship.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.runtime.card.ModelCard;
import io.modelship.runtime.card.ModelCardParser;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The card's transforms as pure functions of the validated columns. */
class FeatureEncoderTest {

  static final ModelCard CARD =
      ModelCardParser.read(Path.of("src/test/resources/models/encoded.yaml"));

  @Test
  void eachFeatureLandsInItsOwnColumnsTransformed() {
    FeatureEncoder e = FeatureEncoder.of(CARD.inputs());
    assertThat(e.width()).isEqualTo(5);
    assertThat(e.offset(2)).isEqualTo(2);
    FeatureBatch batch =
        new FeatureBatch(
            3,
            new Object[] {
              new double[] {120, 100, 85},
              new double[] {50, 0, 200},
              new String[] {"green", "red", "blue"}
            });
    assertThat(e.rowMajor(batch))
        .containsExactly(
            2.0, 0.25, 0, 1, 0, //
            0.0, 0.0, 1, 0, 0, //
            -1.5, 1.0, 0, 0, 1);
  }

  @Test
  void anUnknownCategoryLetThroughIsAllZeros() {
    ModelCard card =
        ModelCardParser.parse(
            "name: m\ninputs: [{name: c, type: string,"
                + " transform: {oneHot: {categories: [a, b], unknown: ignore}}}]\n",
            "m.yaml");
    FeatureBatch batch = new FeatureBatch(2, new Object[] {new String[] {"zzz", "b"}});
    assertThat(FeatureEncoder.of(card.inputs()).rowMajor(batch)).containsExactly(0, 0, 0, 1);
  }

  @Test
  void perInputColumnsAreScaledAndUntransformedOnesPassThroughUntouched() {
    ModelCard card =
        ModelCardParser.parse(
            "name: m\ninputs: [{name: a, transform: {minMax: {min: -1, max: 1}}}, {name: b}]\n",
            "m.yaml");
    double[] b = {7, 8};
    FeatureBatch batch = new FeatureBatch(2, new Object[] {new double[] {-1, 0.5}, b});
    FeatureEncoder e = FeatureEncoder.of(card.inputs());
    assertThat((double[]) e.column(batch, 0)).containsExactly(0.0, 0.75);
    assertThat(e.column(batch, 1)).isSameAs(b);
  }
}
