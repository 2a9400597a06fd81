package io.modelship.runtime.queue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/** Offset arithmetic of the consumer loop: what to commit, where to go back to, and the lag. */
public final class Offsets {
  private Offsets() {}

  /**
   * The offsets to commit once every message's reply or dead letter is acknowledged: per partition,
   * the offset after the last message. Kafka's committed offset is the next one to read.
   */
  public static Map<TopicPartition, Long> next(List<Message> done) {
    Map<TopicPartition, Long> next = new HashMap<>();
    for (Message m : done) {
      next.merge(new TopicPartition(m.topic(), m.partition()), m.offset() + 1, Math::max);
    }
    return next;
  }

  /**
   * Where to read again when a poll's writes were not all acknowledged: per partition, its first
   * message, so that nothing uncommitted is skipped (what was written already is written again).
   */
  public static Map<TopicPartition, Long> first(List<Message> polled) {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (Message m : polled) {
      first.merge(new TopicPartition(m.topic(), m.partition()), m.offset(), Math::min);
    }
    return first;
  }

  /**
   * Records not yet answered, per assigned partition: the log's end offset minus the committed
   * offset (or, before the first commit, the position the consumer starts from). Never negative:
   * the two are read at different moments.
   *
   * @param end each assigned partition's end offset (the offset the next record will get)
   * @param committed the committed offset of each partition, where known
   * @param start where the consumer starts reading a partition with no committed offset
   */
  public static Map<TopicPartition, Long> lag(
      Map<TopicPartition, Long> end,
      Map<TopicPartition, Long> committed,
      Map<TopicPartition, Long> start) {
    Map<TopicPartition, Long> lag =
        new TreeMap<>(
            (a, b) ->
                a.topic().equals(b.topic())
                    ? Integer.compare(a.partition(), b.partition())
                    : a.topic().compareTo(b.topic()));
    end.forEach(
        (tp, e) -> {
          Long from = committed.get(tp);
          if (from == null) {
            from = start.getOrDefault(tp, e);
          }
          lag.put(tp, Math.max(0, e - from));
        });
    return lag;
  }

  public static long total(Map<TopicPartition, Long> lag) {
    return lag.values().stream().mapToLong(Long::longValue).sum();
  }
}
