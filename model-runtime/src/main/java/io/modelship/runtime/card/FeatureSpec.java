package io.modelship.runtime.card;

/**
 * One declared input feature: the "data expectation" every request is checked against.
 *
 * @param name the feature's name in requests ({@code sepal_length})
 * @param type its JSON value type
 * @param min inclusive lower bound for numeric features, or {@code null}; checked on the raw value
 * @param max inclusive upper bound for numeric features, or {@code null}; checked on the raw value
 * @param required whether a request must carry it; an optional feature needs {@code defaultValue}
 * @param defaultValue the value used when an optional feature is absent (a {@link Double}, {@link
 *     Boolean} or {@link String}), or {@code null}
 * @param transform what the runtime does to the value before the model sees it, or {@code null}
 */
public record FeatureSpec(
    String name,
    FeatureType type,
    Double min,
    Double max,
    boolean required,
    Object defaultValue,
    Transform transform) {

  public FeatureSpec(
      String name,
      FeatureType type,
      Double min,
      Double max,
      boolean required,
      Object defaultValue) {
    this(name, type, min, max, required, defaultValue, null);
  }

  public static FeatureSpec required(String name, FeatureType type) {
    return new FeatureSpec(name, type, null, null, true, null, null);
  }

  /** How many model input columns this feature becomes: its categories when one-hot, else one. */
  public int width() {
    return transform == null ? 1 : transform.width();
  }

  /** The one-hot transform, or {@code null}. */
  public Transform.OneHot oneHot() {
    return transform instanceof Transform.OneHot o ? o : null;
  }
}
