package io.modelship.runtime.model;

/**
 * What a model said about a batch of rows.
 *
 * @param labels the predicted class per row (classifiers), else {@code null}
 * @param probabilities row-major [rows, classes] probabilities, or {@code null} when the model has
 *     none
 * @param values the predicted value per row (regressors), else {@code null}
 */
public record Prediction(int rows, String[] labels, float[] probabilities, double[] values) {}
