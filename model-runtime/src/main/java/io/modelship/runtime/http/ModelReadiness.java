package io.modelship.runtime.http;

import io.modelship.runtime.queue.KafkaQueue;
import io.modelship.runtime.router.RouterRoutes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health/ready}: in serve mode, up once the model is loaded; in router mode, up once the
 * route table is set. Down again while draining. In queue mode, also in the consumer group and its
 * loop coming round (docs/queue.md, "Readiness").
 */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {
  @Inject ModelService service;
  @Inject RouterRoutes router;
  @Inject KafkaQueue queue;

  @Override
  public HealthCheckResponse call() {
    if (router.active()) {
      var b = HealthCheckResponse.named("router").status(router.ready());
      if (router.state() != null) {
        b.withData("stable", router.state().table().stable());
        if (router.state().table().candidate() != null) {
          b.withData("candidate", router.state().table().candidate());
        }
      }
      if (router.failure() != null) {
        b.withData("error", router.failure());
      }
      return b.build();
    }
    if (queue.active()) {
      var b = HealthCheckResponse.named("queue").status(service.ready() && queue.ready());
      b.withData("model-ready", service.ready())
          .withData("consumer-ready", queue.ready())
          .withData("assigned-partitions", queue.assignedPartitions())
          .withData("lag-records", queue.lag());
      if (queue.failure() != null) {
        b.withData("error", queue.failure());
      } else if (queue.missingTopics() != null) {
        b.withData("error", queue.missingTopics());
      }
      if (service.failure() != null) {
        b.withData("model-error", service.failure());
      }
      return b.build();
    }
    var b = HealthCheckResponse.named("model").status(service.ready());
    var loaded = service.loaded();
    if (loaded != null) {
      b.withData("model", loaded.model().name()).withData("revision", loaded.model().revision());
    }
    if (service.failure() != null) {
      b.withData("error", service.failure());
    }
    return b.build();
  }
}
