package io.modelship.runtime.queue;

import io.modelship.runtime.http.RuntimeConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Queue mode's settings, checked together: a flag alone cannot see that the reply topic is the
 * request topic (which would feed replies back in as requests).
 *
 * @param consumerGroup the group set, or {@code null} for the default ({@link #group})
 */
public record QueueSettings(
    String bootstrap,
    Path kafkaConfig,
    String requestTopic,
    String replyTopic,
    String deadLetterTopic,
    String consumerGroup,
    int maxPollRecords) {

  /** Kafka's rule for topic names. */
  public static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  /** What {@link #of} found: the settings, or every problem with them. */
  public record Checked(QueueSettings settings, List<String> problems) {}

  /** The settings of a configuration, or every problem with them; {@code null} when off. */
  public static Checked of(RuntimeConfig.Queue q) {
    if (q.type().isEmpty()) {
      return null;
    }
    List<String> problems = new ArrayList<>();
    if (!q.type().get().equals("kafka")) {
      problems.add("--queue: must be kafka (got " + q.type().get() + ")");
    }
    String bootstrap = required(q.kafkaBootstrap().orElse(null), "--kafka-bootstrap", problems);
    String request = topic(q.requestTopic().orElse(null), "--request-topic", problems);
    String reply = topic(q.replyTopic().orElse(null), "--reply-topic", problems);
    String dead = topic(q.deadLetterTopic().orElse(null), "--dead-letter-topic", problems);
    if (request != null && request.equals(reply)) {
      problems.add("--reply-topic: must differ from --request-topic (replies would be read again)");
    }
    if (request != null && request.equals(dead)) {
      problems.add(
          "--dead-letter-topic: must differ from --request-topic (refused requests would be read"
              + " again)");
    }
    if (q.maxPollRecords() < 1 || q.maxPollRecords() > 10_000) {
      problems.add(
          "modelship.queue.max-poll-records: must be 1-10000 (got " + q.maxPollRecords() + ")");
    }
    q.kafkaConfig()
        .filter(f -> !java.nio.file.Files.isReadable(f))
        .ifPresent(f -> problems.add("--kafka-config: cannot read " + f));
    String group = q.consumerGroup().map(String::strip).orElse(null);
    return new Checked(
        new QueueSettings(
            bootstrap,
            q.kafkaConfig().orElse(null),
            request,
            reply,
            dead,
            group,
            q.maxPollRecords()),
        problems);
  }

  /**
   * The topics of these settings that are not among {@code existing}, with what each is for; the
   * runtime creates none (that is the topics' owner's decision: partitions, retention, ACLs).
   */
  public List<String> missingTopics(java.util.Set<String> existing) {
    List<String> missing = new ArrayList<>();
    if (!existing.contains(requestTopic)) {
      missing.add(requestTopic + " (--request-topic)");
    }
    if (!existing.contains(replyTopic)) {
      missing.add(replyTopic + " (--reply-topic)");
    }
    if (!existing.contains(deadLetterTopic)) {
      missing.add(deadLetterTopic + " (--dead-letter-topic)");
    }
    return missing;
  }

  /** The consumer group: the one set, else {@code modelship-<model name>}. */
  public String group(String modelName) {
    return consumerGroup != null ? consumerGroup : "modelship-" + modelName;
  }

  private static String required(String value, String flag, List<String> problems) {
    if (value == null || value.isBlank()) {
      problems.add(flag + ": required in queue mode");
      return null;
    }
    return value.strip();
  }

  private static String topic(String value, String flag, List<String> problems) {
    String t = required(value, flag, problems);
    if (t != null && !TOPIC.matcher(t).matches()) {
      problems.add(
          flag + ": not a Kafka topic name (letters, digits, '.', '_', '-'; got " + t + ")");
      return null;
    }
    return t;
  }
}
