package io.modelship.runtime.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetsTest {
  static final TopicPartition P0 = new TopicPartition("requests", 0);
  static final TopicPartition P1 = new TopicPartition("requests", 1);
  static final TopicPartition P2 = new TopicPartition("requests", 2);

  static Message at(int partition, long offset) {
    return new Message("requests", partition, offset, null, null, List.of());
  }

  @Test
  void commitsTheOffsetAfterTheLastAnsweredMessageOfEachPartition() {
    assertThat(Offsets.next(List.of(at(0, 5), at(1, 9), at(0, 6), at(0, 7))))
        .isEqualTo(Map.of(P0, 8L, P1, 10L));
  }

  @Test
  void aFailedWriteGoesBackToEachPartitionsFirstMessageOfThePoll() {
    assertThat(Offsets.first(List.of(at(0, 5), at(1, 9), at(0, 6))))
        .isEqualTo(Map.of(P0, 5L, P1, 9L));
  }

  @Test
  void lagIsTheEndOffsetMinusTheCommittedOneOrTheStartBeforeAnyCommit() {
    Map<TopicPartition, Long> lag =
        Offsets.lag(Map.of(P0, 100L, P1, 50L, P2, 7L), Map.of(P0, 40L, P1, 60L), Map.of(P2, 0L));
    // P1's end was read before a commit that overtook it: never negative.
    assertThat(lag).containsExactly(Map.entry(P0, 60L), Map.entry(P1, 0L), Map.entry(P2, 7L));
    assertThat(Offsets.total(lag)).isEqualTo(67);
  }

  @Test
  void aPartitionWithNeitherCommitNorStartHasNoLagToReport() {
    assertThat(Offsets.lag(Map.of(P0, 12L), Map.of(), Map.of())).containsEntry(P0, 0L);
    assertThat(Offsets.total(Map.of())).isZero();
  }
}
