package io.modelship.runtime.batch;

/**
 * When the requests gathered so far run as one model call. A pure function of what is waiting and
 * whether the model is busy, so every case is a unit test.
 *
 * <p>A batch runs when it is full, or when its first request has waited {@code maxDelayNanos} while
 * the model was free. While a batch runs, the next one keeps gathering: under load, batches grow by
 * themselves to what arrives during one model call, and no request waits for a timer. With {@code
 * maxDelayNanos} 0 a lone request runs as soon as the event loop has read everything that arrived
 * with it.
 *
 * @param maxBatchSize rows per model call at most
 * @param maxDelayNanos how long the oldest waiting request may wait for others while the model is
 *     free
 */
public record BatchPolicy(int maxBatchSize, long maxDelayNanos) {

  /** The largest batch a runtime accepts, as the ModelDeployment schema does. */
  public static final int MAX_BATCH_SIZE = 4096;

  /** The longest delay a runtime accepts, in milliseconds, as the ModelDeployment schema does. */
  public static final int MAX_DELAY_MS = 1000;

  /**
   * The policy for {@code modelship.batching.*}, or {@code null} when batching is off (a batch size
   * of 1).
   *
   * @throws IllegalArgumentException naming the property that is out of range
   */
  public static BatchPolicy of(int maxBatchSize, int maxDelayMs) {
    if (maxBatchSize < 1 || maxBatchSize > MAX_BATCH_SIZE) {
      throw new IllegalArgumentException(
          "modelship.batching.max-batch-size: must be 1-"
              + MAX_BATCH_SIZE
              + " (got "
              + maxBatchSize
              + ")");
    }
    if (maxDelayMs < 0 || maxDelayMs > MAX_DELAY_MS) {
      throw new IllegalArgumentException(
          "modelship.batching.max-delay-ms: must be 0-"
              + MAX_DELAY_MS
              + " (got "
              + maxDelayMs
              + ")");
    }
    return maxBatchSize == 1 ? null : new BatchPolicy(maxBatchSize, maxDelayMs * 1_000_000L);
  }

  /** What the batcher does next. */
  public enum Action {
    /** Nothing is waiting. */
    IDLE,
    /** A batch is running; the waiting requests go when it is done. */
    HOLD,
    /** Run the waiting requests now ({@link #take} says how many). */
    RUN,
    /** Wait {@link Decision#waitNanos()} for more requests, then decide again. */
    WAIT
  }

  /** An action, and for {@link Action#WAIT} how long. */
  public record Decision(Action action, long waitNanos) {
    static final Decision IDLE = new Decision(Action.IDLE, 0);
    static final Decision HOLD = new Decision(Action.HOLD, 0);
    static final Decision RUN = new Decision(Action.RUN, 0);
  }

  /**
   * @param waitingRows rows of all waiting requests
   * @param oldestWaitedNanos how long the oldest waiting request has waited
   * @param running whether a batch is running now
   */
  public Decision next(int waitingRows, long oldestWaitedNanos, boolean running) {
    if (waitingRows == 0) {
      return Decision.IDLE;
    }
    if (running) {
      // One model call at a time per event loop: a second one would only share the same core.
      return Decision.HOLD;
    }
    if (waitingRows >= maxBatchSize || oldestWaitedNanos >= maxDelayNanos) {
      return Decision.RUN;
    }
    return new Decision(Action.WAIT, maxDelayNanos - oldestWaitedNanos);
  }

  /**
   * Whether a batch of this many requests runs on the event loop itself rather than on a worker
   * thread. A request alone has no model call to share, and handing it to a worker and back costs
   * two thread switches: more than the prediction of a small model (in bench/batching.sh this
   * halved the throughput of one connection to the Iris model). So it runs where it was read, as
   * without batching; the requests that arrive meanwhile form the next batch.
   */
  public boolean runsOnEventLoop(int requests) {
    return requests == 1;
  }

  /**
   * How many of the waiting requests, oldest first, the next batch takes: as many as fit in {@code
   * maxBatchSize} rows, and always the oldest, so a request that does not fit with others still
   * runs (alone).
   *
   * @param rows each waiting request's rows, oldest first
   */
  public int take(int[] rows) {
    int taken = 0;
    int sum = 0;
    for (int r : rows) {
      if (taken > 0 && sum + r > maxBatchSize) {
        break;
      }
      sum += r;
      taken++;
    }
    return taken;
  }

  /**
   * Requests that may wait for a batch at once, over the whole runtime: {@code --max-queued}, but
   * never fewer than a full batch, so that a full batch can always form.
   */
  public int waitingLimit(int maxQueued) {
    return Math.max(maxQueued, maxBatchSize);
  }
}
