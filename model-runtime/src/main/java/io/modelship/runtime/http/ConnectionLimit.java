package io.modelship.runtime.http;

import java.util.concurrent.atomic.AtomicInteger;

/** How many connections are open, against how many may be. */
final class ConnectionLimit {
  private final int max;
  private final AtomicInteger open = new AtomicInteger();

  ConnectionLimit(int max) {
    if (max < 1) {
      throw new IllegalArgumentException(
          "quarkus.http.limits.max-connections must be positive (got " + max + ")");
    }
    this.max = max;
  }

  /** Counts one more open connection, unless the limit is reached. */
  boolean tryOpen() {
    while (true) {
      int now = open.get();
      if (now >= max) {
        return false;
      }
      if (open.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  void closed() {
    open.decrementAndGet();
  }

  int open() {
    return open.get();
  }

  int max() {
    return max;
  }
}
