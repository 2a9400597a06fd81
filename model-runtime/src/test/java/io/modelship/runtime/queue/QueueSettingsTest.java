package io.modelship.runtime.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.runtime.http.RuntimeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueueSettingsTest {

  record Q(
      Optional<String> type,
      Optional<String> kafkaBootstrap,
      Optional<Path> kafkaConfig,
      Optional<String> requestTopic,
      Optional<String> replyTopic,
      Optional<String> deadLetterTopic,
      Optional<String> consumerGroup,
      int maxPollRecords)
      implements RuntimeConfig.Queue {
    @Override
    public int modelRetries() {
      return 2;
    }

    @Override
    public Duration retryBackoff() {
      return Duration.ofMillis(100);
    }

    @Override
    public Duration stallTimeout() {
      return Duration.ofSeconds(30);
    }
  }

  static Q kafka(String request, String reply, String dead, String group) {
    return new Q(
        Optional.of("kafka"),
        Optional.of("127.0.0.1:19092"),
        Optional.empty(),
        Optional.ofNullable(request),
        Optional.ofNullable(reply),
        Optional.ofNullable(dead),
        Optional.ofNullable(group),
        500);
  }

  @Test
  void offUnlessAQueueTypeIsSet() {
    Q off =
        new Q(
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            500);
    assertThat(QueueSettings.of(off)).isNull();
  }

  @Test
  void theConsumerGroupDefaultsToOneNamedAfterTheModel() {
    QueueSettings.Checked c = QueueSettings.of(kafka("req", "rep", "dlt", null));
    assertThat(c.problems()).isEmpty();
    assertThat(c.settings().group("iris")).isEqualTo("modelship-iris");
    assertThat(QueueSettings.of(kafka("req", "rep", "dlt", "g1")).settings().group("iris"))
        .isEqualTo("g1");
  }

  @Test
  void everyMissingTopicIsNamedAndTopicsThatWouldFeedBackIntoTheRequestsAreRefused() {
    assertThat(QueueSettings.of(kafka(null, null, null, null)).problems())
        .containsExactly(
            "--request-topic: required in queue mode",
            "--reply-topic: required in queue mode",
            "--dead-letter-topic: required in queue mode");
    assertThat(QueueSettings.of(kafka("req", "req", "req", null)).problems())
        .containsExactly(
            "--reply-topic: must differ from --request-topic (replies would be read again)",
            "--dead-letter-topic: must differ from --request-topic (refused requests would be"
                + " read again)");
    assertThat(QueueSettings.of(kafka("req", "bad topic", "dlt", null)).problems())
        .containsExactly(
            "--reply-topic: not a Kafka topic name (letters, digits, '.', '_', '-'; got bad topic)");
  }

  @Test
  void topicsTheBrokerDoesNotHaveAreNamedWithTheirFlag() {
    QueueSettings s = QueueSettings.of(kafka("req", "rep", "dlt", null)).settings();
    assertThat(s.missingTopics(java.util.Set.of("req", "rep", "dlt", "other"))).isEmpty();
    assertThat(s.missingTopics(java.util.Set.of("rep")))
        .containsExactly("req (--request-topic)", "dlt (--dead-letter-topic)");
  }
}
