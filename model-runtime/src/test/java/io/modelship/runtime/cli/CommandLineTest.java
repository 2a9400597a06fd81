package io.modelship.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandLineTest {

  @Test
  void mapsFlagsOntoConfigurationProperties() {
    CommandLine.Parsed p =
        CommandLine.parse(
            "--model",
            "m.onnx",
            "--port=9000",
            "--host",
            "127.0.0.1",
            "--card",
            "c.yaml",
            "--api-keys-file",
            "keys",
            "--max-body-bytes",
            "2048",
            "--revision",
            "abc");
    assertThat(p.error()).isNull();
    assertThat(p.properties())
        .containsEntry("modelship.model", "m.onnx")
        .containsEntry("quarkus.http.port", "9000")
        .containsEntry("quarkus.http.host", "127.0.0.1")
        .containsEntry("modelship.card", "c.yaml")
        .containsEntry("modelship.api-keys-file", "keys")
        .containsEntry("modelship.max-body-bytes", "2048")
        .containsEntry("modelship.revision", "abc");
  }

  @Test
  void batchingFlagsSetTheBatchingPropertiesWithinTheirRanges() {
    assertThat(CommandLine.parse("--max-batch-size", "32", "--max-batch-delay-ms=2").properties())
        .containsEntry("modelship.batching.max-batch-size", "32")
        .containsEntry("modelship.batching.max-delay-ms", "2");
    assertThat(CommandLine.parse("--max-batch-size", "0").error())
        .isEqualTo("--max-batch-size: must be a number of rows 1-4096 (got 0)");
    assertThat(CommandLine.parse("--max-batch-size", "5000").error())
        .isEqualTo("--max-batch-size: must be a number of rows 1-4096 (got 5000)");
    assertThat(CommandLine.parse("--max-batch-delay-ms", "1001").error())
        .isEqualTo("--max-batch-delay-ms: must be a number of milliseconds 0-1000 (got 1001)");
    assertThat(CommandLine.usage())
        .contains("--max-batch-size ROWS", "MODELSHIP_BATCHING_MAX_DELAY_MS");
  }

  @Test
  void queueFlagsSetTheQueuePropertiesAndRefuseWhatKafkaWouldRefuse() {
    assertThat(
            CommandLine.parse(
                    "--queue",
                    "kafka",
                    "--kafka-bootstrap",
                    "127.0.0.1:19092",
                    "--request-topic",
                    "iris.requests",
                    "--reply-topic=iris.replies",
                    "--dead-letter-topic",
                    "iris_dlt",
                    "--consumer-group",
                    "g")
                .properties())
        .containsEntry("modelship.queue.type", "kafka")
        .containsEntry("modelship.queue.kafka-bootstrap", "127.0.0.1:19092")
        .containsEntry("modelship.queue.request-topic", "iris.requests")
        .containsEntry("modelship.queue.reply-topic", "iris.replies")
        .containsEntry("modelship.queue.dead-letter-topic", "iris_dlt")
        .containsEntry("modelship.queue.consumer-group", "g");
    assertThat(CommandLine.parse("--queue", "redis").error())
        .isEqualTo("--queue: must be kafka (got redis)");
    assertThat(CommandLine.parse("--reply-topic", "a/b").error())
        .isEqualTo(
            "--reply-topic: not a Kafka topic name: letters, digits, '.', '_', '-', at most 249"
                + " (got a/b)");
    assertThat(CommandLine.usage()).contains("--request-topic TOPIC", "MODELSHIP_QUEUE_TYPE");
  }

  @Test
  void helpWinsOverEverythingElse() {
    assertThat(CommandLine.parse("--port", "1", "--help").help()).isTrue();
    assertThat(CommandLine.parse("-h").help()).isTrue();
    assertThat(CommandLine.usage())
        .contains("--model FILE", "MODELSHIP_API_KEYS_FILE", "QUARKUS_HTTP_PORT", "Exit codes");
  }

  @Test
  void refusesUnknownFlagsMissingValuesAndBadNumbers() {
    assertThat(CommandLine.parse("--modle", "x").error()).isEqualTo("unknown option --modle");
    assertThat(CommandLine.parse("--model").error()).isEqualTo("--model needs a value (FILE)");
    assertThat(CommandLine.parse("--model", "--port", "1").error())
        .isEqualTo("--model needs a value (FILE)");
    assertThat(CommandLine.parse("--port", "70000").error())
        .isEqualTo("--port: must be a port number 0-65535 (got 70000)");
    assertThat(CommandLine.parse("--max-body-bytes", "0").error())
        .startsWith("--max-body-bytes: must be a positive number");
    assertThat(CommandLine.parse("--model=").error()).isEqualTo("--model: must not be empty");
  }

  @Test
  void noArgumentsIsNotAnError() {
    CommandLine.Parsed p = CommandLine.parse();
    assertThat(p.error()).isNull();
    assertThat(p.properties()).isEmpty();
  }
}
