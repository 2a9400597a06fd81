package io.modelship.runtime.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelship.runtime.batch.BatchPolicy.Action;
import io.modelship.runtime.batch.BatchPolicy.Decision;
import org.junit.jupiter.api.Test;

class BatchPolicyTest {
  static final long MS = 1_000_000;

  /** Batches of up to 32 rows, gathered for up to 2 ms. */
  final BatchPolicy policy = BatchPolicy.of(32, 2);

  @Test
  void nothingWaitingMeansNothingToDo() {
    assertThat(policy.next(0, 0, false).action()).isEqualTo(Action.IDLE);
    assertThat(policy.next(0, 0, true).action()).isEqualTo(Action.IDLE);
  }

  @Test
  void aFullBatchRunsAtOnceWithoutWaitingForTheDelay() {
    assertThat(policy.next(32, 0, false).action()).isEqualTo(Action.RUN);
    assertThat(policy.next(40, 0, false).action()).isEqualTo(Action.RUN);
  }

  @Test
  void aPartialBatchWaitsForWhatIsLeftOfTheDelayOfItsOldestRequest() {
    assertThat(policy.next(5, 0, false)).isEqualTo(new Decision(Action.WAIT, 2 * MS));
    assertThat(policy.next(5, MS / 2, false)).isEqualTo(new Decision(Action.WAIT, 3 * MS / 2));
  }

  @Test
  void aPartialBatchRunsOnceItsOldestRequestHasWaitedTheDelay() {
    assertThat(policy.next(5, 2 * MS, false).action()).isEqualTo(Action.RUN);
    assertThat(policy.next(1, 50 * MS, false).action()).isEqualTo(Action.RUN);
  }

  @Test
  void whileABatchRunsTheNextOneKeepsGatheringEvenWhenFullOrLate() {
    assertThat(policy.next(1, 0, true).action()).isEqualTo(Action.HOLD);
    assertThat(policy.next(500, 0, true).action()).isEqualTo(Action.HOLD);
    assertThat(policy.next(3, 100 * MS, true).action()).isEqualTo(Action.HOLD);
  }

  @Test
  void withoutADelayALoneRequestRunsAsSoonAsTheModelIsFree() {
    BatchPolicy eager = BatchPolicy.of(32, 0);
    assertThat(eager.next(1, 0, false).action()).isEqualTo(Action.RUN);
    assertThat(eager.next(1, 0, true).action()).isEqualTo(Action.HOLD);
  }

  @Test
  void aBatchTakesTheOldestRequestsThatFitAndAlwaysTheOldest() {
    assertThat(policy.take(new int[] {1, 1, 1})).isEqualTo(3);
    assertThat(policy.take(new int[] {10, 20, 2, 1})).isEqualTo(3); // 32 rows exactly
    assertThat(policy.take(new int[] {10, 20, 3, 1})).isEqualTo(2); // no skipping ahead
    assertThat(policy.take(new int[] {32, 1})).isEqualTo(1);
    assertThat(policy.take(new int[] {1})).isEqualTo(1);
  }

  @Test
  void aRequestAloneRunsOnTheEventLoopAndABatchOnAWorker() {
    assertThat(policy.runsOnEventLoop(1)).isTrue();
    assertThat(policy.runsOnEventLoop(2)).isFalse();
    assertThat(policy.runsOnEventLoop(32)).isFalse();
  }

  @Test
  void batchSizeOneMeansBatchingIsOff() {
    assertThat(BatchPolicy.of(1, 0)).isNull();
    assertThat(BatchPolicy.of(1, 500)).isNull();
  }

  @Test
  void settingsOutOfRangeAreRefusedNamingTheProperty() {
    assertThatThrownBy(() -> BatchPolicy.of(0, 0))
        .hasMessage("modelship.batching.max-batch-size: must be 1-4096 (got 0)");
    assertThatThrownBy(() -> BatchPolicy.of(5000, 0))
        .hasMessage("modelship.batching.max-batch-size: must be 1-4096 (got 5000)");
    assertThatThrownBy(() -> BatchPolicy.of(8, -1))
        .hasMessage("modelship.batching.max-delay-ms: must be 0-1000 (got -1)");
    assertThatThrownBy(() -> BatchPolicy.of(8, 1001))
        .hasMessage("modelship.batching.max-delay-ms: must be 0-1000 (got 1001)");
  }

  @Test
  void theWaitingLimitIsMaxQueuedButNeverLessThanAFullBatch() {
    assertThat(policy.waitingLimit(128)).isEqualTo(128);
    assertThat(policy.waitingLimit(4)).isEqualTo(32);
  }
}
