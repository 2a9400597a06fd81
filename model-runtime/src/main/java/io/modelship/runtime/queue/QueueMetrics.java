package io.modelship.runtime.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Queue mode's meters in {@code /q/metrics}: {@code modelship_queue_consumed_total}, {@code
 * modelship_queue_replied_total}, {@code modelship_queue_dead_lettered_total{reason}}, {@code
 * modelship_queue_model_retries_total}, {@code modelship_queue_write_failures_total}, and the lag
 * gauges {@code modelship_queue_lag_records} (this process's assigned partitions together) and
 * {@code modelship_queue_partition_lag_records{topic, partition}}.
 */
@ApplicationScoped
public class QueueMetrics {
  @Inject MeterRegistry registry;

  private final AtomicLong lag = new AtomicLong();
  private final Map<TopicPartition, AtomicLong> partitionLag = new ConcurrentHashMap<>();
  private volatile Counter consumed;
  private volatile Counter replied;
  private volatile Counter invalid;
  private volatile Counter modelFailed;
  private volatile Counter retries;
  private volatile Counter writeFailures;

  /** Registers the meters, so that they read 0 before the first message rather than missing. */
  void register() {
    consumed = counter("modelship.queue.consumed", "Requests read from the request topic", null);
    replied = counter("modelship.queue.replied", "Replies written and acknowledged", null);
    invalid =
        counter(
            "modelship.queue.dead.lettered",
            "Requests written to the dead-letter topic, by reason",
            "invalid");
    modelFailed =
        counter(
            "modelship.queue.dead.lettered",
            "Requests written to the dead-letter topic, by reason",
            "model");
    retries =
        counter("modelship.queue.model.retries", "Model calls tried again after a failure", null);
    writeFailures =
        counter(
            "modelship.queue.write.failures",
            "Polls whose replies were not all acknowledged, read again from their first offset",
            null);
    Gauge.builder("modelship.queue.lag.records", lag, AtomicLong::get)
        .description(
            "Requests on this process's assigned partitions not yet answered and committed")
        .register(registry);
  }

  private Counter counter(String name, String description, String reason) {
    Counter.Builder b = Counter.builder(name).description(description);
    if (reason != null) {
      b.tag("reason", reason);
    }
    return b.register(registry);
  }

  void polled(int messages) {
    consumed.increment(messages);
  }

  void written(QueueProcessor.Result r) {
    replied.increment(r.out().size() - r.invalid() - r.modelFailed());
    invalid.increment(r.invalid());
    modelFailed.increment(r.modelFailed());
    retries.increment(r.retries());
  }

  void writeFailed() {
    writeFailures.increment();
  }

  /** The lag of the assigned partitions; partitions no longer assigned read 0. */
  void lag(Map<TopicPartition, Long> perPartition) {
    lag.set(Offsets.total(perPartition));
    partitionLag.forEach((tp, v) -> v.set(perPartition.getOrDefault(tp, 0L)));
    perPartition.forEach(
        (tp, v) ->
            partitionLag
                .computeIfAbsent(
                    tp,
                    k -> {
                      AtomicLong g = new AtomicLong();
                      Gauge.builder("modelship.queue.partition.lag.records", g, AtomicLong::get)
                          .description("Requests on one assigned partition not yet answered")
                          .tag("topic", k.topic())
                          .tag("partition", Integer.toString(k.partition()))
                          .register(registry);
                      return g;
                    })
                .set(v));
  }

  long lag() {
    return lag.get();
  }
}
