package io.modelship.runtime.batch;

import io.modelship.runtime.api.ApiException;
import io.modelship.runtime.model.FeatureBatch;
import io.modelship.runtime.model.Prediction;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.IntConsumer;
import org.jboss.logging.Logger;

/**
 * Gathers the prediction requests of one event loop into batches and runs each batch as one model
 * call on a worker thread, so the event loop goes on reading requests meanwhile. {@link #submit}
 * and everything else but the model call on a worker run on that event loop's thread, so the state
 * here needs no locks; {@link BatchPolicy} decides when a batch runs, and where.
 */
public final class Batcher {
  private static final Logger LOG = Logger.getLogger(Batcher.class);

  /** Runs one batch: each request's rows in, one prediction per request out, in the same order. */
  @FunctionalInterface
  public interface Runner {
    List<Prediction> run(List<FeatureBatch> requests) throws Exception;
  }

  private record Waiting(
      FeatureBatch rows, Promise<Prediction> answer, long since, boolean counted) {}

  private final Context loop;
  private final BatchPolicy policy;
  private final Runner runner;
  private final Semaphore room;
  private final int limit;
  private final IntConsumer ran;

  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private int waitingRows;
  private boolean running;
  private boolean scheduled;
  private boolean timerSet;

  /**
   * @param loop the event loop's own context; submit only from its thread
   * @param room places for waiting requests, shared by all event loops' batchers
   * @param limit the number of places, for the overload message
   * @param ran told the number of rows of every batch that starts, counting only the requests
   *     submitted as counted
   */
  public Batcher(
      Context loop, BatchPolicy policy, Runner runner, Semaphore room, int limit, IntConsumer ran) {
    this.loop = loop;
    this.policy = policy;
    this.runner = runner;
    this.room = room;
    this.limit = limit;
    this.ran = ran;
  }

  /**
   * Adds a validated request to the next batch.
   *
   * @return its own rows of the batch's prediction; a {@link BatchFailedException} when the batch's
   *     model call failed
   * @throws ApiException 503 when {@code limit} requests are already waiting
   */
  public Future<Prediction> submit(FeatureBatch rows) {
    return submit(rows, true);
  }

  /**
   * As {@link #submit(FeatureBatch)}; a request that is not {@code counted} (the runtime's own
   * warm-up) is batched like any other but left out of the rows reported to {@code ran}, and a
   * batch of such requests only is not reported at all.
   */
  public Future<Prediction> submit(FeatureBatch rows, boolean counted) {
    if (!room.tryAcquire()) {
      throw new ApiException(
          503, "overloaded: " + limit + " requests are already waiting for a batch; retry shortly");
    }
    Promise<Prediction> answer = Promise.promise();
    waiting.add(new Waiting(rows, answer, System.nanoTime(), counted));
    waitingRows += rows.rows();
    if (waitingRows >= policy.maxBatchSize() && !running) {
      decide(); // full: nothing to gain from reading more first
    } else if (!scheduled) {
      // Decide once the event loop has read the other requests that arrived with this one: its
      // tasks run after the I/O of the current turn.
      scheduled = true;
      loop.runOnContext(v -> decide());
    }
    return answer.future();
  }

  private void decide() {
    scheduled = false;
    Waiting oldest = waiting.peekFirst();
    long waited = oldest == null ? 0 : System.nanoTime() - oldest.since();
    BatchPolicy.Decision d = policy.next(waitingRows, waited, running);
    switch (d.action()) {
      case RUN -> run(take());
      case WAIT -> {
        if (!timerSet) {
          timerSet = true;
          long ms = Math.max(1, (d.waitNanos() + 999_999) / 1_000_000);
          loop.owner()
              .setTimer(
                  ms,
                  id -> {
                    timerSet = false;
                    decide();
                  });
        }
      }
      case IDLE, HOLD -> {}
    }
  }

  private List<Waiting> take() {
    int[] rows = new int[Math.min(waiting.size(), policy.maxBatchSize())];
    int i = 0;
    for (Waiting w : waiting) {
      if (i == rows.length) {
        break;
      }
      rows[i++] = w.rows().rows();
    }
    int n = policy.take(rows);
    List<Waiting> batch = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      Waiting w = waiting.pollFirst();
      waitingRows -= w.rows().rows();
      batch.add(w);
    }
    room.release(n);
    return batch;
  }

  private void run(List<Waiting> batch) {
    List<FeatureBatch> requests = new ArrayList<>(batch.size());
    int rows = 0;
    int counted = 0;
    for (Waiting w : batch) {
      requests.add(w.rows());
      rows += w.rows().rows();
      counted += w.counted() ? w.rows().rows() : 0;
    }
    if (counted > 0) {
      ran.accept(counted);
    }
    int total = rows;
    if (policy.runsOnEventLoop(batch.size())) {
      List<Prediction> answers = null;
      Throwable cause = null;
      try {
        answers = runner.run(requests);
      } catch (Exception | LinkageError e) {
        cause = e;
      }
      answer(batch, total, answers, cause);
      decide(); // requests that did not fit in this batch
      return;
    }
    running = true;
    loop.executeBlocking(() -> runner.run(requests), false)
        .onComplete(
            r -> {
              running = false;
              answer(batch, total, r.result(), r.cause());
              decide();
            });
  }

  /** Gives each request its own prediction, or every request of the batch the failure. */
  private static void answer(
      List<Waiting> batch, int rows, List<Prediction> answers, Throwable cause) {
    if (cause == null && answers != null && answers.size() == batch.size()) {
      for (int k = 0; k < batch.size(); k++) {
        batch.get(k).answer().complete(answers.get(k));
      }
      return;
    }
    if (cause == null) {
      cause =
          new IllegalStateException(
              (answers == null ? "no" : answers.size())
                  + " answers for "
                  + batch.size()
                  + " requests");
    }
    LOG.error(
        "model call failed on a batch of " + batch.size() + " requests (" + rows + " rows)", cause);
    BatchFailedException e = new BatchFailedException(batch.size(), rows, cause);
    for (Waiting w : batch) {
      w.answer().fail(e);
    }
  }
}
