package io.modelship.runtime.http;

/**
 * Limits that follow the JVM's maximum heap, so that a container's memory limit (through the JVM's
 * default {@code MaxRAMPercentage}, or {@code -Xmx}) sets them and one flood cannot exhaust it.
 */
public final class HeapDefaults {
  private HeapDefaults() {}

  /**
   * Heap set aside per allowed connection. A connection that has sent a full 8 KiB header block and
   * stalls holds about 20 KiB (measured: Netty's decoded headers plus Vert.x's connection); this
   * leaves the rest of the heap to requests even when every connection is such a one.
   */
  static final long HEAP_PER_CONNECTION = 64 * 1024;

  /** Fewer connections than this would refuse ordinary pools of clients, whatever the heap. */
  static final int MIN_CONNECTIONS = 256;

  /** Default {@code quarkus.http.limits.max-connections}: one per 64 KiB of heap. */
  public static int maxConnections(long maxHeap) {
    return (int)
        Math.min(Integer.MAX_VALUE, Math.max(MIN_CONNECTIONS, maxHeap / HEAP_PER_CONNECTION));
  }

  /**
   * Default {@code modelship.http.max-buffered-body-bytes}: a sixteenth of the heap. A body being
   * predicted costs about ten times its size (its bytes, a copy, the parsed JSON, the tensors and
   * the answer), so a budget of 1/16 keeps the bodies' peak well inside the heap.
   */
  public static long bufferedBodyBytes(long maxHeap) {
    return maxHeap / 16;
  }
}
