package io.modelship.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.modelship.operator.api.KafkaQueueSpec;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.QueueSpec;
import io.modelship.operator.revision.Revisions;
import org.junit.jupiter.api.Test;

/** spec.queue as the runtime pods' arguments, probe and revision. */
class QueueArgsTest {

  static ModelDeployment queued(String group) {
    ModelDeployment md = DesiredObjectsTest.md("configmap://iris-model/iris.onnx");
    md.getSpec().queue = new QueueSpec();
    md.getSpec().queue.kafka = new KafkaQueueSpec();
    md.getSpec().queue.kafka.bootstrapServers = "kafka.kafka.svc:9092";
    md.getSpec().queue.kafka.requestTopic = "iris.requests";
    md.getSpec().queue.kafka.replyTopic = "iris.replies";
    md.getSpec().queue.kafka.deadLetterTopic = "iris.dead";
    md.getSpec().queue.kafka.consumerGroup = group;
    return md;
  }

  static Container runtime(ModelDeployment md) {
    return DesiredObjects.deployment(md, "r1", 2, "img:1", 30)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }

  @Test
  void queueSettingsBecomeTheRuntimesQueueFlagsWithAGroupPerModelDeploymentByDefault() {
    Container c = runtime(queued(null));
    assertThat(c.getArgs())
        .containsSequence(
            "--queue",
            "kafka",
            "--kafka-bootstrap",
            "kafka.kafka.svc:9092",
            "--request-topic",
            "iris.requests",
            "--reply-topic",
            "iris.replies",
            "--dead-letter-topic",
            "iris.dead",
            "--consumer-group",
            "modelship.ml.iris");
    assertThat(runtime(queued("fraud-scorers")).getArgs())
        .containsSequence("--consumer-group", "fraud-scorers");
  }

  @Test
  void aQueueWorkerIsReadyWhenInItsConsumerGroupAndAServingPodWhenItsModelIs() {
    assertThat(runtime(queued(null)).getReadinessProbe().getHttpGet().getPath())
        .isEqualTo("/q/health/ready");
    Container serving = runtime(DesiredObjectsTest.md("configmap://iris-model/iris.onnx"));
    assertThat(serving.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
    assertThat(serving.getArgs()).doesNotContain("--queue");
  }

  @Test
  void queueSettingsArePartOfTheRevisionSoTopicsChangeWithTheirPods() {
    ModelDeployment plain = DesiredObjectsTest.md("configmap://iris-model/iris.onnx");
    String before = Revisions.of(plain.getSpec(), "img:1");
    ModelDeployment md = queued(null);
    String queuedRevision = Revisions.of(md.getSpec(), "img:1");
    assertThat(queuedRevision).isNotEqualTo(before);
    md.getSpec().queue.kafka.replyTopic = "iris.replies.v2";
    assertThat(Revisions.of(md.getSpec(), "img:1")).isNotEqualTo(queuedRevision);
  }
}
