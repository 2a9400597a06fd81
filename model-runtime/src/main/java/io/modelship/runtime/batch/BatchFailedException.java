package io.modelship.runtime.batch;

/**
 * The model call of a batch failed: every request in that batch gets this, and only those. The
 * message is safe to show to clients; the cause, for the log, is not.
 */
public final class BatchFailedException extends RuntimeException {
  public BatchFailedException(int requests, int rows, Throwable cause) {
    super(
        requests == 1
            ? "the model failed on this request; see the server log"
            : "the model failed on a batch of "
                + requests
                + " requests ("
                + rows
                + " rows) that included this one; see the server log",
        cause);
  }
}
