package io.modelship.runtime.card;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A declared pre-processing step for one feature, applied by the runtime after the request value
 * has been validated and before it reaches the model. Pure values: the same input always gives the
 * same model columns.
 */
public sealed interface Transform {

  /** How many model input columns the feature becomes. */
  int width();

  /** The card spelling, for messages and metadata. */
  String kind();

  /** {@code (x - mean) / std}. */
  record Standardize(double mean, double std) implements Transform {
    public double apply(double x) {
      return (x - mean) / std;
    }

    @Override
    public int width() {
      return 1;
    }

    @Override
    public String kind() {
      return "standardize";
    }
  }

  /** {@code (x - min) / (max - min)}: [min, max] onto [0, 1]; values outside are not clipped. */
  record MinMax(double min, double max) implements Transform {
    public double apply(double x) {
      return (x - min) / (max - min);
    }

    @Override
    public int width() {
      return 1;
    }

    @Override
    public String kind() {
      return "minMax";
    }
  }

  /**
   * A string feature as one column per category: 1 in the category's column, 0 elsewhere.
   *
   * @param ignoreUnknown an unknown category gives all zeros instead of a 422
   */
  record OneHot(List<String> categories, boolean ignoreUnknown, Map<String, Integer> positions)
      implements Transform {

    public OneHot {
      categories = List.copyOf(categories);
      positions = Map.copyOf(positions);
    }

    public static OneHot of(List<String> categories, boolean ignoreUnknown) {
      Map<String, Integer> positions = new HashMap<>();
      for (int i = 0; i < categories.size(); i++) {
        positions.put(categories.get(i), i);
      }
      return new OneHot(categories, ignoreUnknown, positions);
    }

    /** The category's column, or -1 when it is not one of the declared categories. */
    public int indexOf(String value) {
      Integer i = positions.get(value);
      return i == null ? -1 : i;
    }

    @Override
    public int width() {
      return categories.size();
    }

    @Override
    public String kind() {
      return "oneHot";
    }
  }
}
