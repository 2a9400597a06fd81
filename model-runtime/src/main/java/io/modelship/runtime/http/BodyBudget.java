package io.modelship.runtime.http;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies the runtime holds at once, across all connections, from the moment a
 * request is let in until its answer is sent. Each request is bounded by {@code --max-body-bytes},
 * but ten thousand of them stalling just before their last byte are not; a request that does not
 * fit is refused before its body is read.
 */
@Singleton
public class BodyBudget {
  private final long capacity;
  private final AtomicLong held = new AtomicLong();

  @Inject
  BodyBudget(ClientLimits limits) {
    this(
        limits
            .maxBufferedBodyBytes()
            .orElse(HeapDefaults.bufferedBodyBytes(Runtime.getRuntime().maxMemory())));
  }

  BodyBudget(long capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException(
          "modelship.http.max-buffered-body-bytes must be positive (got " + capacity + ")");
    }
    this.capacity = capacity;
  }

  /**
   * What a request will hold: its declared {@code Content-Length}, or the largest body allowed when
   * it declares none (a chunked body may grow that far).
   */
  static long claim(String contentLength, long maxBodyBytes) {
    if (contentLength == null) {
      return maxBodyBytes;
    }
    try {
      return Math.min(Math.max(0, Long.parseLong(contentLength.strip())), maxBodyBytes);
    } catch (NumberFormatException e) {
      return maxBodyBytes;
    }
  }

  /**
   * Holds {@code bytes} if they fit. When nothing is held, any request fits, so that a budget below
   * {@code --max-body-bytes} slows large requests down instead of refusing them all.
   */
  boolean tryHold(long bytes) {
    while (true) {
      long now = held.get();
      if (now > 0 && now + bytes > capacity) {
        return false;
      }
      if (held.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  void release(long bytes) {
    held.addAndGet(-bytes);
  }

  long held() {
    return held.get();
  }

  long capacity() {
    return capacity;
  }
}
