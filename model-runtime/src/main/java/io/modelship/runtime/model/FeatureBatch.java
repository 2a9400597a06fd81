package io.modelship.runtime.model;

/**
 * Validated feature values for a batch of rows, one column per declared feature.
 *
 * @param columns {@code double[]} for numeric features, {@code boolean[]} for boolean ones, {@code
 *     String[]} for strings; each {@code rows} long
 */
public record FeatureBatch(int rows, Object[] columns) {}
