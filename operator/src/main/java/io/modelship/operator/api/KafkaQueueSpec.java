package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The Kafka topics and consumer group of a queue-mode ModelDeployment. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.replyTopic != self.requestTopic",
    message =
        "spec.queue.kafka.replyTopic must differ from requestTopic: replies would be read again as"
            + " requests")
@ValidationRule(
    value = "self.deadLetterTopic != self.requestTopic",
    message =
        "spec.queue.kafka.deadLetterTopic must differ from requestTopic: refused requests would be"
            + " read again")
public class KafkaQueueSpec {
  static final String TOPIC = "^[A-Za-z0-9._-]+$";

  @Required
  @Size(min = 1, max = 1024)
  @Pattern("^[^\\s,]+(,[^\\s,]+)*$")
  @JsonPropertyDescription(
      "Bootstrap servers, host:port[,host:port...], e.g. kafka-bootstrap.kafka.svc:9092.")
  public String bootstrapServers;

  @Required
  @Size(min = 1, max = 249)
  @Pattern(TOPIC)
  @JsonPropertyDescription("Topic the prediction requests are read from.")
  public String requestTopic;

  @Required
  @Size(min = 1, max = 249)
  @Pattern(TOPIC)
  @JsonPropertyDescription(
      "Topic the predictions are written to, with each request's key and headers.")
  public String replyTopic;

  @Required
  @Size(min = 1, max = 249)
  @Pattern(TOPIC)
  @JsonPropertyDescription(
      "Topic requests that cannot be parsed, fail validation or make the model fail are written"
          + " to, with the reason in headers.")
  public String deadLetterTopic;

  @Size(min = 1, max = 249)
  @Pattern("^\\S+$")
  @JsonPropertyDescription(
      "Consumer group shared by every pod of every revision (default modelship.<namespace>.<name>).")
  public String consumerGroup;
}
