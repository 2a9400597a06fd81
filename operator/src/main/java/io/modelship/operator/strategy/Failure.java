package io.modelship.operator.strategy;

/** Why something cannot serve, with a reason for conditions and events. */
public record Failure(String reason, String message) {}
