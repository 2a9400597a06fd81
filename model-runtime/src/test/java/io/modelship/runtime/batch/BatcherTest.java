package io.modelship.runtime.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.runtime.api.ApiException;
import io.modelship.runtime.model.FeatureBatch;
import io.modelship.runtime.model.Prediction;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher on a real Vert.x event loop, with a stand-in model that labels each row with its
 * feature value and records the batches it was called with.
 */
class BatcherTest {
  final Vertx vertx = Vertx.vertx();
  final Context loop = vertx.getOrCreateContext();
  final List<Integer> calls = new CopyOnWriteArrayList<>();
  final List<Integer> started = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A request of one row per value, the single feature being the value. */
  static FeatureBatch request(double... values) {
    return new FeatureBatch(values.length, new Object[] {values});
  }

  /** Labels each row "v<value>", as one call for the whole batch. */
  List<Prediction> echo(List<FeatureBatch> requests) {
    FeatureBatch all = FeatureBatch.concat(requests);
    calls.add(all.rows());
    double[] column = (double[]) all.columns()[0];
    String[] labels = new String[all.rows()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = "v" + (int) column[i];
    }
    int[] sizes = requests.stream().mapToInt(FeatureBatch::rows).toArray();
    return new Prediction(all.rows(), labels, null, null).split(sizes);
  }

  Batcher batcher(BatchPolicy policy, Batcher.Runner runner, int limit) {
    return new Batcher(loop, policy, runner, new Semaphore(limit), limit, started::add);
  }

  /** Submits the requests in one event-loop turn, as requests read together are. */
  List<Future<Prediction>> submitTogether(Batcher b, List<FeatureBatch> requests) throws Exception {
    CompletableFuture<List<Future<Prediction>>> submitted = new CompletableFuture<>();
    loop.runOnContext(
        v -> {
          List<Future<Prediction>> answers = new ArrayList<>();
          for (FeatureBatch r : requests) {
            try {
              answers.add(b.submit(r));
            } catch (ApiException e) {
              answers.add(Future.failedFuture(e));
            }
          }
          submitted.complete(answers);
        });
    return submitted.get(10, TimeUnit.SECONDS);
  }

  static Object outcome(Future<Prediction> f) throws Exception {
    try {
      Prediction p = f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return List.of(p.labels());
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void requestsReadTogetherRunAsOneModelCallAndEachGetsItsOwnRows() throws Exception {
    Batcher b = batcher(BatchPolicy.of(16, 0), this::echo, 64);
    List<Future<Prediction>> answers =
        submitTogether(b, List.of(request(1), request(2, 3), request(4), request(5, 6, 7)));
    assertThat(outcome(answers.get(0))).isEqualTo(List.of("v1"));
    assertThat(outcome(answers.get(1))).isEqualTo(List.of("v2", "v3"));
    assertThat(outcome(answers.get(2))).isEqualTo(List.of("v4"));
    assertThat(outcome(answers.get(3))).isEqualTo(List.of("v5", "v6", "v7"));
    assertThat(calls).containsExactly(7);
    assertThat(started).containsExactly(7);
  }

  @Test
  void uncountedRequestsAreBatchedButLeftOutOfTheReportedRows() throws Exception {
    Batcher b = batcher(BatchPolicy.of(16, 0), this::echo, 64);
    CompletableFuture<List<Future<Prediction>>> submitted = new CompletableFuture<>();
    loop.runOnContext(
        v -> submitted.complete(List.of(b.submit(request(1, 2), false), b.submit(request(3)))));
    List<Future<Prediction>> mixed = submitted.get(10, TimeUnit.SECONDS);
    assertThat(outcome(mixed.get(0))).isEqualTo(List.of("v1", "v2"));
    assertThat(outcome(mixed.get(1))).isEqualTo(List.of("v3"));

    CompletableFuture<Future<Prediction>> alone = new CompletableFuture<>();
    loop.runOnContext(v -> alone.complete(b.submit(request(4), false)));
    assertThat(outcome(alone.get(10, TimeUnit.SECONDS))).isEqualTo(List.of("v4"));

    assertThat(calls).containsExactly(3, 1);
    assertThat(started).containsExactly(1);
  }

  @Test
  void aBatchNeverExceedsTheMaximumAndTheRestRunsNext() throws Exception {
    Batcher b = batcher(BatchPolicy.of(4, 0), this::echo, 64);
    List<FeatureBatch> requests = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      requests.add(request(i));
    }
    List<Future<Prediction>> answers = submitTogether(b, requests);
    for (int i = 0; i < 10; i++) {
      assertThat(outcome(answers.get(i))).isEqualTo(List.of("v" + i));
    }
    assertThat(calls).allSatisfy(rows -> assertThat(rows).isBetween(1, 4));
    assertThat(calls.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
    assertThat(calls.get(0)).isEqualTo(4);
  }

  @Test
  void aFailedModelCallFailsOnlyTheRequestsOfThatBatch() throws Exception {
    Batcher.Runner failsOnSeven =
        requests -> {
          if (((double[]) requests.get(0).columns()[0])[0] == 7) {
            throw new IllegalStateException("simulated model failure");
          }
          return echo(requests);
        };
    Batcher b = batcher(BatchPolicy.of(16, 0), failsOnSeven, 64);
    List<Future<Prediction>> bad = submitTogether(b, List.of(request(7), request(8, 9)));
    assertThat(outcome(bad.get(0)))
        .isInstanceOf(BatchFailedException.class)
        .hasFieldOrPropertyWithValue(
            "message",
            "the model failed on a batch of 2 requests (3 rows) that included this one; see the"
                + " server log");
    assertThat(outcome(bad.get(1))).isInstanceOf(BatchFailedException.class);

    List<Future<Prediction>> good = submitTogether(b, List.of(request(1), request(2)));
    assertThat(outcome(good.get(0))).isEqualTo(List.of("v1"));
    assertThat(outcome(good.get(1))).isEqualTo(List.of("v2"));
  }

  @Test
  void requestsBeyondTheWaitingLimitAreRefusedAtOnceWith503() throws Exception {
    // A long delay keeps the first requests waiting while the others arrive.
    Batcher b = batcher(BatchPolicy.of(8, 1000), this::echo, 3);
    List<Future<Prediction>> answers =
        submitTogether(b, List.of(request(1), request(2), request(3), request(4)));
    assertThat(outcome(answers.get(3)))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "overloaded: 3 requests are already waiting for a batch; retry shortly");
            });
    assertThat(outcome(answers.get(0))).isEqualTo(List.of("v1"));
    assertThat(calls).containsExactly(3);

    // Their places are free again once they ran.
    List<Future<Prediction>> later = submitTogether(b, List.of(request(5), request(6)));
    assertThat(outcome(later.get(1))).isEqualTo(List.of("v6"));
  }

  @Test
  void aLoneRequestWaitsForTheDelayAndThenRunsAlone() throws Exception {
    Batcher b = batcher(BatchPolicy.of(8, 50), this::echo, 64);
    long start = System.nanoTime();
    List<Future<Prediction>> answers = submitTogether(b, List.of(request(1)));
    assertThat(outcome(answers.get(0))).isEqualTo(List.of("v1"));
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(50 * BatchPolicyTest.MS);
    assertThat(calls).containsExactly(1);
  }

  @Test
  void requestsArrivingWhileABatchRunsFormTheNextBatch() throws Exception {
    CompletableFuture<Void> release = new CompletableFuture<>();
    Batcher.Runner slowFirst =
        requests -> {
          if (calls.isEmpty()) {
            release.get(10, TimeUnit.SECONDS);
          }
          return echo(requests);
        };
    Batcher b = batcher(BatchPolicy.of(16, 0), slowFirst, 64);
    List<Future<Prediction>> first = submitTogether(b, List.of(request(0), request(0)));
    List<Future<Prediction>> next = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      next.addAll(submitTogether(b, List.of(request(i)))); // separate turns
    }
    release.complete(null);
    assertThat(outcome(first.get(0))).isEqualTo(List.of("v0"));
    for (int i = 1; i <= 5; i++) {
      assertThat(outcome(next.get(i - 1))).isEqualTo(List.of("v" + i));
    }
    assertThat(calls).containsExactly(2, 5);
  }

  @Test
  void aLoneRequestRunsOnTheEventLoopAndCompanyOnAWorkerThread() throws Exception {
    List<Boolean> onLoop = new CopyOnWriteArrayList<>();
    Batcher.Runner where =
        requests -> {
          onLoop.add(Context.isOnEventLoopThread());
          return echo(requests);
        };
    Batcher b = batcher(BatchPolicy.of(16, 0), where, 64);
    assertThat(outcome(submitTogether(b, List.of(request(1))).get(0))).isEqualTo(List.of("v1"));
    List<Future<Prediction>> two = submitTogether(b, List.of(request(2), request(3)));
    assertThat(outcome(two.get(1))).isEqualTo(List.of("v3"));
    assertThat(onLoop).containsExactly(true, false);
  }

  @Test
  void aLoneRequestWhoseModelCallFailsIsToldSoWithoutMentioningABatch() throws Exception {
    Batcher b =
        batcher(
            BatchPolicy.of(16, 0),
            requests -> {
              throw new IllegalStateException("simulated model failure");
            },
            64);
    assertThat(outcome(submitTogether(b, List.of(request(1))).get(0)))
        .isInstanceOf(BatchFailedException.class)
        .hasFieldOrPropertyWithValue(
            "message", "the model failed on this request; see the server log");
  }
}
