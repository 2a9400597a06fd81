package io.modelship.runtime.queue;

import ai.onnxruntime.OrtException;
import io.modelship.runtime.http.ModelService;
import io.modelship.runtime.http.RuntimeConfig;
import io.modelship.runtime.model.FeatureBatch;
import io.modelship.runtime.model.Prediction;
import io.modelship.runtime.model.ServedModel;
import io.modelship.runtime.model.Tensor;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

/**
 * Queue mode's consumer loop, on a thread of its own: poll, predict (through {@link
 * QueueProcessor}), write every reply and dead letter, wait until Kafka has acknowledged all of
 * them ({@code acks=all}), and only then commit the poll's offsets. A process killed at any point
 * reads again from the last commit: requests may be answered twice, never lost (docs/queue.md).
 */
@ApplicationScoped
public class KafkaQueue {
  private static final Logger LOG = Logger.getLogger(KafkaQueue.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long LAG_EVERY_NANOS = 500_000_000L;
  private static final long TOPICS_EVERY_NANOS = 5_000_000_000L;

  @Inject RuntimeConfig config;
  @Inject ModelService service;
  @Inject QueueMetrics metrics;

  private volatile QueueSettings settings;
  private volatile String failure;
  private volatile boolean stopping;
  private volatile boolean joined;
  private volatile long lastLoop = System.nanoTime();
  private volatile int assigned;
  private volatile String missingTopics;
  private Thread thread;

  /** Committed offsets of the assigned partitions (consumer thread only). */
  private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();

  /** Where reading began on assigned partitions that had no committed offset. */
  private final Map<TopicPartition, Long> start = new ConcurrentHashMap<>();

  void onStart(@Observes StartupEvent event) {
    if (!"serve".equals(config.mode())) {
      if (config.queue().type().isPresent()) {
        failure = "--queue: a router serves no model to predict with; use it in serve mode";
        LOG.error("queue mode: " + failure);
      }
      return;
    }
    QueueSettings.Checked checked = QueueSettings.of(config.queue());
    if (checked == null) {
      return;
    }
    if (!checked.problems().isEmpty()) {
      failure = String.join("; ", checked.problems());
      LOG.error("queue mode: " + failure);
      return;
    }
    settings = checked.settings();
    metrics.register();
    thread = new Thread(this::run, "modelship-queue");
    thread.setDaemon(true);
    thread.start();
  }

  void onShutdown(@Observes ShutdownEvent event) {
    stopping = true;
    if (thread != null) {
      try {
        thread.join(15_000); // the poll in hand is finished and committed, then the group is left
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether queue mode is on (or was asked for and refused). */
  public boolean active() {
    return settings != null || failure != null;
  }

  /** Why queue mode could not start, or {@code null}. */
  public String failure() {
    return failure;
  }

  /**
   * Ready to take requests: in the consumer group (with or without partitions: a group can have
   * more members than partitions, and an idle member is not broken) and the loop coming round.
   */
  public boolean ready() {
    return settings != null
        && joined
        && missingTopics == null
        && !stopping
        && System.nanoTime() - lastLoop < config.queue().stallTimeout().toNanos();
  }

  /** Which configured topics the broker does not have, or {@code null}. */
  public String missingTopics() {
    return missingTopics;
  }

  public int assignedPartitions() {
    return assigned;
  }

  public long lag() {
    return metrics.lag();
  }

  private void run() {
    while (!stopping) {
      try {
        ModelService.Loaded loaded = awaitModel();
        if (loaded == null) {
          return;
        }
        consume(loaded);
      } catch (Exception e) {
        joined = false;
        if (stopping) {
          return;
        }
        LOG.error("queue consumer failed; starting it again in 5 s", e);
        pause(Duration.ofSeconds(5));
      }
    }
  }

  private ModelService.Loaded awaitModel() {
    while (!stopping && service.failure() == null) {
      ModelService.Loaded l = service.loaded();
      if (l != null) {
        return l;
      }
      pause(Duration.ofMillis(50));
    }
    return null;
  }

  private void consume(ModelService.Loaded loaded) throws InterruptedException {
    QueueSettings s = settings;
    ServedModel model = loaded.model();
    QueueProcessor processor =
        new QueueProcessor(
            loaded.reader(),
            loaded.writer(),
            new QueueProcessor.Model() {
              @Override
              public Prediction predict(FeatureBatch rows) throws OrtException {
                return model.predict(rows);
              }

              @Override
              public Map<String, Tensor> infer(List<Tensor> inputs, Set<String> outputs)
                  throws OrtException {
                return model.infer(inputs, outputs);
              }
            },
            model.name(),
            model.revision(),
            config.maxBodyBytes(),
            config.queue().modelRetries(),
            config.queue().retryBackoff(),
            d -> Thread.sleep(d.toMillis()));
    String group = s.group(model.name());
    String client = "modelship-" + model.name() + "-" + model.revision();
    try (KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(consumerProps(s, group, client));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(s, client))) {
      checkTopics(consumer, s);
      consumer.subscribe(List.of(s.requestTopic()), new Listener(consumer));
      LOG.infof(
          "queue mode: reading %s as group %s from %s; replies to %s, dead letters to %s",
          s.requestTopic(), group, s.bootstrap(), s.replyTopic(), s.deadLetterTopic());
      long nextLag = System.nanoTime();
      long nextTopicCheck = System.nanoTime() + TOPICS_EVERY_NANOS;
      while (!stopping) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        lastLoop = System.nanoTime();
        if (!records.isEmpty()) {
          handle(records, processor, consumer, producer, s);
        }
        if (System.nanoTime() - nextLag >= 0) {
          updateLag(consumer);
          nextLag = System.nanoTime() + LAG_EVERY_NANOS;
          if (missingTopics != null && System.nanoTime() - nextTopicCheck >= 0) {
            checkTopics(consumer, s);
            nextTopicCheck = System.nanoTime() + TOPICS_EVERY_NANOS;
          }
        }
      }
    } finally {
      joined = false;
      assigned = 0;
    }
  }

  private void handle(
      ConsumerRecords<byte[], byte[]> records,
      QueueProcessor processor,
      KafkaConsumer<byte[], byte[]> consumer,
      KafkaProducer<byte[], byte[]> producer,
      QueueSettings s)
      throws InterruptedException {
    List<Message> messages = new ArrayList<>(records.count());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      List<Header> headers = new ArrayList<>();
      r.headers().forEach(headers::add);
      messages.add(new Message(r.topic(), r.partition(), r.offset(), r.key(), r.value(), headers));
    }
    metrics.polled(messages.size());
    QueueProcessor.Result result = processor.process(messages);
    List<Future<RecordMetadata>> acks = new ArrayList<>(result.out().size());
    for (Outgoing o : result.out()) {
      String topic = o.deadLetter() ? s.deadLetterTopic() : s.replyTopic();
      acks.add(
          producer.send(
              new ProducerRecord<>(topic, null, o.source().key(), o.value(), o.headers())));
    }
    producer.flush();
    String writeError = null;
    for (Future<RecordMetadata> f : acks) {
      try {
        f.get();
      } catch (ExecutionException e) {
        writeError = e.getCause().toString();
      }
    }
    if (writeError != null) {
      // Nothing of this poll is committed: read it again (replies already written are written
      // twice, which at-least-once allows).
      metrics.writeFailed();
      LOG.warnf(
          "queue mode: writing replies failed (%s); reading %d requests again",
          writeError, messages.size());
      Offsets.first(messages).forEach(consumer::seek);
      pause(Duration.ofSeconds(1));
      return;
    }
    Map<TopicPartition, Long> next = Offsets.next(messages);
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    next.forEach((tp, o) -> commit.put(tp, new OffsetAndMetadata(o)));
    try {
      consumer.commitSync(commit);
      committed.putAll(next);
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // The partitions moved to another member, which reads them from the last commit.
      LOG.warnf(
          "queue mode: commit refused after a rebalance (%s); another member reads them again",
          e.getMessage());
    }
    metrics.written(result);
  }

  /**
   * A topic that does not exist (a typo, or not created yet) keeps the runtime unready, with the
   * topic named in the readiness data and the log, instead of a worker that looks fine and answers
   * nothing. Checked at start and, while some are missing, every 5 s.
   */
  private void checkTopics(KafkaConsumer<byte[], byte[]> consumer, QueueSettings s) {
    try {
      List<String> missing = s.missingTopics(consumer.listTopics(Duration.ofSeconds(5)).keySet());
      String now = missing.isEmpty() ? null : "topics not found: " + String.join(", ", missing);
      if (now != null && !now.equals(missingTopics)) {
        LOG.error("queue mode: " + now + "; not ready until they exist");
      } else if (now == null && missingTopics != null) {
        LOG.info("queue mode: all topics found");
      }
      missingTopics = now;
    } catch (KafkaException e) {
      LOG.debugf("queue mode: cannot list topics: %s", e.getMessage());
    }
  }

  private void updateLag(KafkaConsumer<byte[], byte[]> consumer) {
    Set<TopicPartition> parts = consumer.assignment();
    if (parts.isEmpty()) {
      metrics.lag(Map.of());
      return;
    }
    try {
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(2));
      metrics.lag(Offsets.lag(end, committed, start));
    } catch (KafkaException e) {
      LOG.debugf("queue mode: cannot read end offsets: %s", e.getMessage());
    }
  }

  /** Keeps the committed offsets of the assigned partitions, which the lag is counted from. */
  private final class Listener implements ConsumerRebalanceListener {
    private final KafkaConsumer<byte[], byte[]> consumer;

    Listener(KafkaConsumer<byte[], byte[]> consumer) {
      this.consumer = consumer;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        Map<TopicPartition, OffsetAndMetadata> known =
            consumer.committed(Set.copyOf(partitions), Duration.ofSeconds(5));
        for (TopicPartition tp : partitions) {
          OffsetAndMetadata o = known.get(tp);
          if (o != null) {
            committed.put(tp, o.offset());
          } else {
            start.put(tp, consumer.position(tp, Duration.ofSeconds(5)));
          }
        }
      }
      assigned = consumer.assignment().size();
      joined = true;
      LOG.infof("queue mode: assigned %s", consumer.assignment());
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      partitions.forEach(committed::remove);
      partitions.forEach(start::remove);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      onPartitionsRevoked(partitions);
      joined = false;
    }
  }

  private Properties consumerProps(QueueSettings s, String group, String client) {
    Properties p = extra(s);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, client + "-consumer");
    // Offsets are committed by the loop, after the replies are acknowledged: never automatically.
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(s.maxPollRecords()));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }

  private Properties producerProps(QueueSettings s, String client) {
    Properties p = extra(s);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, client + "-producer");
    // A reply counts as written once every in-sync replica has it; retries keep their order.
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /** The settings of {@code --kafka-config} (TLS, SASL, timeouts); the loop's own ones win. */
  private static Properties extra(QueueSettings s) {
    Properties p = new Properties();
    if (s.kafkaConfig() != null) {
      try (InputStream in = Files.newInputStream(s.kafkaConfig())) {
        p.load(in);
      } catch (IOException e) {
        throw new KafkaException("cannot read --kafka-config " + s.kafkaConfig() + ": " + e, e);
      }
    }
    return p;
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
