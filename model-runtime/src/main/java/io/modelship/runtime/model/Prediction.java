package io.modelship.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a model said about a batch of rows.
 *
 * @param labels the predicted class per row (classifiers), else {@code null}
 * @param probabilities row-major [rows, classes] probabilities, or {@code null} when the model has
 *     none
 * @param values the predicted value per row (regressors), else {@code null}
 */
public record Prediction(int rows, String[] labels, float[] probabilities, double[] values) {

  /** Rows {@code [from, from + count)} as a prediction of their own. */
  public Prediction rows(int from, int count) {
    if (from == 0 && count == rows) {
      return this;
    }
    if (from < 0 || count < 0 || from + count > rows) {
      throw new IndexOutOfBoundsException(
          "rows " + from + ".." + (from + count) + " of a prediction of " + rows);
    }
    int classes = probabilities == null || rows == 0 ? 0 : probabilities.length / rows;
    return new Prediction(
        count,
        labels == null ? null : Arrays.copyOfRange(labels, from, from + count),
        probabilities == null
            ? null
            : Arrays.copyOfRange(probabilities, from * classes, (from + count) * classes),
        values == null ? null : Arrays.copyOfRange(values, from, from + count));
  }

  /** The inverse of {@link FeatureBatch#concat}: consecutive parts of these sizes, in order. */
  public List<Prediction> split(int[] sizes) {
    List<Prediction> parts = new ArrayList<>(sizes.length);
    int at = 0;
    for (int n : sizes) {
      parts.add(rows(at, n));
      at += n;
    }
    if (at != rows) {
      throw new IllegalArgumentException(
          "parts of " + at + " rows in all do not cover a prediction of " + rows);
    }
    return parts;
  }
}
