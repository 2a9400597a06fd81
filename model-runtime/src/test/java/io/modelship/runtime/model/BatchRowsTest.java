package io.modelship.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Several requests' rows as one batch, and the batch's prediction back to each request. */
class BatchRowsTest {

  @Test
  void concatPutsEachRequestsRowsAfterThePreviousOnesInEveryColumn() {
    FeatureBatch a =
        new FeatureBatch(
            2,
            new Object[] {
              new double[] {1, 2}, new boolean[] {true, false}, new String[] {"x", "y"}
            });
    FeatureBatch b =
        new FeatureBatch(
            1, new Object[] {new double[] {3}, new boolean[] {true}, new String[] {"z"}});
    FeatureBatch all = FeatureBatch.concat(List.of(a, b));
    assertThat(all.rows()).isEqualTo(3);
    assertThat((double[]) all.columns()[0]).containsExactly(1, 2, 3);
    assertThat((boolean[]) all.columns()[1]).containsExactly(true, false, true);
    assertThat((String[]) all.columns()[2]).containsExactly("x", "y", "z");
  }

  @Test
  void aSingleRequestIsItsOwnBatchWithoutCopying() {
    FeatureBatch a = new FeatureBatch(1, new Object[] {new double[] {1}});
    assertThat(FeatureBatch.concat(List.of(a))).isSameAs(a);
  }

  @Test
  void splitGivesEachRequestItsOwnLabelsProbabilitiesAndValues() {
    Prediction p =
        new Prediction(
            3,
            new String[] {"a", "b", "c"},
            new float[] {0.9f, 0.1f, 0.2f, 0.8f, 0.5f, 0.5f},
            null);
    List<Prediction> parts = p.split(new int[] {1, 2});
    assertThat(parts.get(0).rows()).isEqualTo(1);
    assertThat(parts.get(0).labels()).containsExactly("a");
    assertThat(parts.get(0).probabilities()).containsExactly(0.9f, 0.1f);
    assertThat(parts.get(1).labels()).containsExactly("b", "c");
    assertThat(parts.get(1).probabilities()).containsExactly(0.2f, 0.8f, 0.5f, 0.5f);

    Prediction values = new Prediction(2, null, null, new double[] {1.5, 2.5});
    assertThat(values.split(new int[] {1, 1}).get(1).values()).containsExactly(2.5);
    assertThat(values.split(new int[] {2}).get(0)).isSameAs(values);
  }

  @Test
  void partsThatDoNotCoverThePredictionAreRefused() {
    Prediction p = new Prediction(3, new String[] {"a", "b", "c"}, null, null);
    assertThatThrownBy(() -> p.split(new int[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parts of 2 rows in all do not cover a prediction of 3");
    assertThatThrownBy(() -> p.split(new int[] {2, 2}))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
