import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka side of the queue-mode tests and benchmark (scripts/kafka.sh runs it on the broker's
 * classpath): waits for the broker, creates topics, produces Iris requests with correlation ids,
 * reads replies and dead letters back and checks them, runs an echo worker (the benchmark's
 * baseline) and times request to reply. Every loop is bounded in count and time.
 */
public class KafkaTool {
  /** Rows with a known label: request i carries ROWS[i % 3] and must be answered LABELS[i % 3]. */
  static final String[] ROWS = {
    "{\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,\"petal_width\":0.2}",
    "{\"sepal_length\":6.4,\"sepal_width\":3.2,\"petal_length\":4.5,\"petal_width\":1.5}",
    "{\"sepal_length\":6.3,\"sepal_width\":3.3,\"petal_length\":6.0,\"petal_width\":2.5}"
  };

  static final String[] LABELS = {"setosa", "versicolor", "virginica"};

  /** Refused requests: correlation id, modelship-api header (or ""), value (null: none). */
  static final String[][] INVALID = {
    {"bad-json", "", "{\"sepal_length\": 5.1,"},
    {"bad-range", "", ROWS[0].replace("5.1", "51")},
    {"bad-missing", "", "{\"sepal_length\":5.1}"},
    {"bad-empty", "", null},
    {"bad-api", "v9", ROWS[0]},
  };

  public static void main(String[] args) throws Exception {
    String bootstrap = args[1];
    switch (args[0]) {
      case "wait" -> waitFor(bootstrap, Integer.parseInt(args[2]));
      case "create" -> create(bootstrap, Arrays.copyOfRange(args, 2, args.length));
      case "produce" -> produce(bootstrap, args[2], args[3], Integer.parseInt(args[4]));
      case "produce-invalid" -> produceInvalid(bootstrap, args[2]);
      case "replies" ->
          System.exit(
              replies(bootstrap, args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5])));
      case "dead-letters" -> deadLetters(bootstrap, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      case "echo" -> echo(bootstrap, args[2], args[3], args[4], Integer.parseInt(args[5]));
      case "bench" ->
          bench(bootstrap, args[2], args[3], args[4], Integer.parseInt(args[5]), Integer.parseInt(args[6]));
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  static Properties base(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    return p;
  }

  static void waitFor(String bootstrap, int seconds) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    Properties p = base(bootstrap);
    p.put("request.timeout.ms", "2000");
    p.put("default.api.timeout.ms", "2000");
    try (Admin admin = Admin.create(p)) {
      while (true) {
        try {
          admin.describeCluster().nodes().get();
          admin.listTopics().names().get();
          return;
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            System.err.println("broker at " + bootstrap + " not ready after " + seconds + " s: " + e);
            System.exit(1);
          }
          Thread.sleep(200);
        }
      }
    }
  }

  static void create(String bootstrap, String[] specs) throws Exception {
    List<NewTopic> topics = new ArrayList<>();
    for (String s : specs) {
      String[] nameParts = s.split(":");
      topics.add(new NewTopic(nameParts[0], Integer.parseInt(nameParts[1]), (short) 1));
    }
    try (Admin admin = Admin.create(base(bootstrap))) {
      Set<String> existing = admin.listTopics().names().get();
      topics.removeIf(t -> existing.contains(t.name()));
      if (!topics.isEmpty()) {
        admin.createTopics(topics).all().get();
      }
    }
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = base(bootstrap);
    p.put("acks", "all");
    p.put("linger.ms", "2");
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  static KafkaConsumer<byte[], byte[]> reader(String bootstrap) {
    Properties p = base(bootstrap);
    p.put("enable.auto.commit", "false");
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.put("max.poll.records", "2000");
    return new KafkaConsumer<>(p);
  }

  static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** COUNT requests PREFIX-0..PREFIX-(COUNT-1), each with its correlation-id header and key. */
  static void produce(String bootstrap, String topic, String prefix, int count) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String id = prefix + "-" + i;
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(topic, null, utf8(id), utf8(ROWS[i % 3]));
        r.headers().add("correlation-id", utf8(id));
        acks.add(p.send(r));
      }
      p.flush();
      for (Future<RecordMetadata> f : acks) {
        f.get();
      }
    }
    System.out.println("produced " + count + " requests to " + topic);
  }

  static void produceInvalid(String bootstrap, String topic) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
      for (String[] bad : INVALID) {
        ProducerRecord<byte[], byte[]> r =
            new ProducerRecord<>(topic, null, utf8(bad[0]), utf8(bad[2]));
        r.headers().add("correlation-id", utf8(bad[0]));
        if (!bad[1].isEmpty()) {
          r.headers().add("modelship-api", utf8(bad[1]));
        }
        p.send(r).get();
      }
    }
    System.out.println("produced " + INVALID.length + " invalid requests to " + topic);
  }

  /** Every record of a topic from the beginning, until none arrives for idleMs or time is up. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(
      String bootstrap, String topic, int seconds, java.util.function.Predicate<List<ConsumerRecord<byte[], byte[]>>> enough) {
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = reader(bootstrap)) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          all.add(r);
        }
        if (enough.test(all)) {
          // Read what is already there besides, so duplicates are counted too.
          Map<TopicPartition, Long> end = c.endOffsets(parts);
          while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
              && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(200)).forEach(all::add);
          }
          break;
        }
      }
    }
    return all;
  }

  /**
   * Checks the replies to PREFIX-0..EXPECTED-1: each answered at least once, with its own
   * correlation id, key and label. Prints a summary line; exit code 1 when any is missing or wrong.
   */
  static int replies(String bootstrap, String topic, String prefix, int expected, int seconds) {
    Set<String> distinct = new HashSet<>();
    int[] total = {0};
    List<String> wrong = new ArrayList<>();
    List<ConsumerRecord<byte[], byte[]>> all =
        readAll(
            bootstrap,
            topic,
            seconds,
            rs -> {
              for (int i = total[0]; i < rs.size(); i++) {
                String id = header(rs.get(i), "correlation-id");
                if (id != null && id.startsWith(prefix + "-")) {
                  distinct.add(id);
                }
              }
              total[0] = rs.size();
              return distinct.size() >= expected;
            });
    distinct.clear();
    int mine = 0;
    for (ConsumerRecord<byte[], byte[]> r : all) {
      String id = header(r, "correlation-id");
      if (id == null || !id.startsWith(prefix + "-")) {
        continue;
      }
      mine++;
      distinct.add(id);
      int i = Integer.parseInt(id.substring(prefix.length() + 1));
      String value = new String(r.value(), StandardCharsets.UTF_8);
      String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
      if (!value.contains("\"label\":\"" + LABELS[i % 3] + "\"") || !id.equals(key)) {
        wrong.add(id + " key=" + key + " value=" + value);
      }
    }
    int missing = 0;
    for (int i = 0; i < expected; i++) {
      if (!distinct.contains(prefix + "-" + i)) {
        missing++;
      }
    }
    System.out.printf(
        "replies=%d distinct=%d duplicates=%d missing=%d wrong=%d%n",
        mine, distinct.size(), mine - distinct.size(), missing, wrong.size());
    wrong.stream().limit(5).forEach(w -> System.out.println("wrong: " + w));
    return missing == 0 && wrong.isEmpty() ? 0 : 1;
  }

  /** Prints each dead letter: correlation id, status, source offset, error (tab-separated). */
  static void deadLetters(String bootstrap, String topic, int expected, int seconds) {
    for (ConsumerRecord<byte[], byte[]> r : readAll(bootstrap, topic, seconds, rs -> rs.size() >= expected)) {
      System.out.println(
          header(r, "correlation-id")
              + "\t"
              + header(r, "modelship-error-status")
              + "\t"
              + header(r, "modelship-source-topic")
              + "/"
              + header(r, "modelship-source-partition")
              + "@"
              + header(r, "modelship-source-offset")
              + "\t"
              + header(r, "modelship-error"));
    }
  }

  /**
   * The benchmark's baseline: the runtime's loop without the model. Polls, copies each request to
   * the reply topic with its key and headers, waits for acks=all, commits; for SECONDS at most.
   */
  static void echo(String bootstrap, String in, String out, String group, int seconds)
      throws Exception {
    Properties p = base(bootstrap);
    p.put("group.id", group);
    p.put("enable.auto.commit", "false");
    p.put("auto.offset.reset", "earliest");
    p.put("max.poll.records", "500");
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    Properties pp = base(bootstrap);
    pp.put("acks", "all");
    pp.put("enable.idempotence", "true");
    pp.put("key.serializer", ByteArraySerializer.class.getName());
    pp.put("value.serializer", ByteArraySerializer.class.getName());
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
        KafkaProducer<byte[], byte[]> prod = new KafkaProducer<>(pp)) {
      c.subscribe(List.of(in));
      while (System.nanoTime() < deadline) {
        var records = c.poll(Duration.ofMillis(100));
        if (records.isEmpty()) {
          continue;
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          acks.add(prod.send(new ProducerRecord<>(out, null, r.key(), r.value(), r.headers())));
          next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        prod.flush();
        for (Future<RecordMetadata> f : acks) {
          f.get();
        }
        c.commitSync(next);
      }
    }
  }

  /**
   * Produces COUNT requests at RATE per second (0: as fast as possible) to IN and times each one
   * until its reply arrives on OUT. Prints messages/s (first send to last reply) and latency
   * percentiles. Gives up 60 s after the last send.
   */
  static void bench(String bootstrap, String in, String out, String prefix, int count, int rate)
      throws Exception {
    Map<String, Long> sent = new ConcurrentHashMap<>();
    long[] latencies = new long[count];
    AtomicLong received = new AtomicLong();
    AtomicLong lastReply = new AtomicLong();
    try (KafkaConsumer<byte[], byte[]> c = reader(bootstrap)) {
      List<TopicPartition> parts =
          c.partitionsFor(out).stream().map(i -> new TopicPartition(out, i.partition())).toList();
      c.assign(parts);
      c.seekToEnd(parts);
      parts.forEach(c::position); // resolve the end now, before anything is produced
      Thread producerThread =
          new Thread(
              () -> {
                try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
                  long start = System.nanoTime();
                  for (int i = 0; i < count; i++) {
                    if (rate > 0) {
                      long due = start + (long) i * 1_000_000_000L / rate;
                      long wait = due - System.nanoTime();
                      if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                      }
                    }
                    String id = prefix + "-" + i;
                    ProducerRecord<byte[], byte[]> r =
                        new ProducerRecord<>(in, null, utf8(id), utf8(ROWS[i % 3]));
                    r.headers().add(new RecordHeader("correlation-id", utf8(id)));
                    sent.put(id, System.nanoTime());
                    p.send(r);
                    if (rate > 0) {
                      p.flush(); // each request on its way now: latency, not batching, is measured
                    }
                  }
                  p.flush();
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      long t0 = System.nanoTime();
      producerThread.start();
      long deadline = Long.MAX_VALUE;
      while (received.get() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(50))) {
          String id = header(r, "correlation-id");
          Long s = id == null ? null : sent.remove(id);
          if (s != null) {
            long now = System.nanoTime();
            latencies[(int) received.getAndIncrement()] = now - s;
            lastReply.set(now);
          }
        }
        if (!producerThread.isAlive() && deadline == Long.MAX_VALUE) {
          deadline = System.nanoTime() + 60_000_000_000L;
        }
      }
      producerThread.join();
      int n = (int) received.get();
      long[] got = Arrays.copyOf(latencies, n);
      Arrays.sort(got);
      double seconds = (lastReply.get() - t0) / 1e9;
      System.out.printf(
          "answered=%d of %d msgs_per_s=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f%n",
          n,
          count,
          n / seconds,
          pct(got, 0.50),
          pct(got, 0.99),
          n == 0 ? 0 : got[n - 1] / 1e6);
    }
  }

  static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }
}
