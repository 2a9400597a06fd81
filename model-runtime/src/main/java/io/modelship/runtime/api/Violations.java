package io.modelship.runtime.api;

import java.util.ArrayList;
import java.util.List;

/** Collects what is wrong with a request, up to a limit, so one answer lists every mistake. */
final class Violations {
  static final int LIMIT = 20;

  private final List<Violation> list = new ArrayList<>();
  private int total;

  void add(String field, String reason) {
    total++;
    if (list.size() < LIMIT) {
      list.add(new Violation(field, reason));
    }
  }

  boolean isEmpty() {
    return total == 0;
  }

  /** Throws the collected violations, if any, as one 422. */
  void throwIfAny() {
    if (total == 0) {
      return;
    }
    Violation first = list.get(0);
    String message = first.field() + ": " + first.reason();
    if (total > 1) {
      message += " (and " + (total - 1) + " more problem" + (total > 2 ? "s" : "") + ")";
    }
    throw new ApiException(422, message, list);
  }
}
