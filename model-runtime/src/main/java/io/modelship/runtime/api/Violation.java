package io.modelship.runtime.api;

/**
 * One thing wrong with a request.
 *
 * @param field where, in the request's own terms ({@code sepal_length}, {@code inputs[0].shape})
 * @param reason why, with the offending value where it helps
 */
public record Violation(String field, String reason) {}
