package io.modelship.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/**
 * Queue mode: the runtime pods also take prediction requests from a message queue and write the
 * predictions to a reply topic (docs/queue.md).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class QueueSpec {
  @Required
  @JsonPropertyDescription("Apache Kafka: where requests are read and replies written.")
  public KafkaQueueSpec kafka;
}
