package io.modelship.runtime.model;

import java.util.List;

/**
 * Validated feature values for a batch of rows, one column per declared feature.
 *
 * @param columns {@code double[]} for numeric features, {@code boolean[]} for boolean ones, {@code
 *     String[]} for strings; each {@code rows} long
 */
public record FeatureBatch(int rows, Object[] columns) {

  /**
   * The rows of several requests, one after another, as one batch; all parts come from the same
   * model's reader, so their columns have the same types.
   */
  public static FeatureBatch concat(List<FeatureBatch> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    int rows = 0;
    for (FeatureBatch p : parts) {
      rows += p.rows();
    }
    int width = parts.get(0).columns().length;
    Object[] columns = new Object[width];
    for (int j = 0; j < width; j++) {
      Object first = parts.get(0).columns()[j];
      Object column =
          first instanceof boolean[]
              ? new boolean[rows]
              : first instanceof String[] ? new String[rows] : new double[rows];
      int at = 0;
      for (FeatureBatch p : parts) {
        System.arraycopy(p.columns()[j], 0, column, at, p.rows());
        at += p.rows();
      }
      columns[j] = column;
    }
    return new FeatureBatch(rows, columns);
  }
}
