package io.modelship.runtime.card;

/**
 * One declared input feature: the "data expectation" every request is checked against.
 *
 * @param name the feature's name in requests ({@code sepal_length})
 * @param type its JSON value type
 * @param min inclusive lower bound for numeric features, or {@code null}
 * @param max inclusive upper bound for numeric features, or {@code null}
 * @param required whether a request must carry it; an optional feature needs {@code defaultValue}
 * @param defaultValue the value used when an optional feature is absent (a {@link Double}, {@link
 *     Boolean} or {@link String}), or {@code null}
 */
public record FeatureSpec(
    String name, FeatureType type, Double min, Double max, boolean required, Object defaultValue) {

  public static FeatureSpec required(String name, FeatureType type) {
    return new FeatureSpec(name, type, null, null, true, null);
  }
}
