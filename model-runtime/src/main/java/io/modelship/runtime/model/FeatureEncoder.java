package io.modelship.runtime.model;

import io.modelship.runtime.card.FeatureSpec;
import io.modelship.runtime.card.Transform;
import java.util.List;

/**
 * Applies a card's declared transforms: validated feature columns in, the model's input columns
 * out. Built once per model; encoding a batch allocates only its output array, never per row.
 */
public final class FeatureEncoder {

  private final Transform[] transforms;
  private final int[] offsets;
  private final int width;

  private FeatureEncoder(List<FeatureSpec> features) {
    transforms = new Transform[features.size()];
    offsets = new int[features.size()];
    int at = 0;
    for (int j = 0; j < transforms.length; j++) {
      transforms[j] = features.get(j).transform();
      offsets[j] = at;
      at += features.get(j).width();
    }
    width = at;
  }

  public static FeatureEncoder of(List<FeatureSpec> features) {
    return new FeatureEncoder(features);
  }

  /** The number of model input columns the features become. */
  public int width() {
    return width;
  }

  /** The first model column of feature {@code j}. */
  public int offset(int j) {
    return offsets[j];
  }

  /**
   * The rows as one row-major {@code [rows, width]} matrix. Numeric columns are scaled, one-hot
   * columns become 0/1 (an unknown category all zeros: the reader has refused it already unless the
   * card says {@code unknown: ignore}).
   */
  public double[] rowMajor(FeatureBatch batch) {
    int rows = batch.rows();
    double[] out = new double[rows * width];
    for (int j = 0; j < transforms.length; j++) {
      Object column = batch.columns()[j];
      int off = offsets[j];
      Transform t = transforms[j];
      if (t instanceof Transform.OneHot o) {
        String[] col = (String[]) column;
        for (int r = 0; r < rows; r++) {
          int k = o.indexOf(col[r]);
          if (k >= 0) {
            out[r * width + off + k] = 1;
          }
        }
      } else {
        double[] col = (double[]) column;
        if (t instanceof Transform.Standardize s) {
          for (int r = 0; r < rows; r++) {
            out[r * width + off] = s.apply(col[r]);
          }
        } else if (t instanceof Transform.MinMax m) {
          for (int r = 0; r < rows; r++) {
            out[r * width + off] = m.apply(col[r]);
          }
        } else {
          for (int r = 0; r < rows; r++) {
            out[r * width + off] = col[r];
          }
        }
      }
    }
    return out;
  }

  /**
   * One feature's column after its (scalar) transform, for models that take one input per feature;
   * the column itself when the feature has no transform.
   */
  public Object column(FeatureBatch batch, int j) {
    Object column = batch.columns()[j];
    Transform t = transforms[j];
    if (t == null) {
      return column;
    }
    double[] col = (double[]) column;
    double[] out = new double[col.length];
    if (t instanceof Transform.Standardize s) {
      for (int r = 0; r < col.length; r++) {
        out[r] = s.apply(col[r]);
      }
    } else if (t instanceof Transform.MinMax m) {
      for (int r = 0; r < col.length; r++) {
        out[r] = m.apply(col[r]);
      }
    } else {
      throw new IllegalStateException("one-hot needs the model's single [N, F] input");
    }
    return out;
  }
}
