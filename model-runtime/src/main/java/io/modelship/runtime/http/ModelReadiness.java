package io.modelship.runtime.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** {@code /q/health/ready}: up once the model is loaded, down again while draining. */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {
  @Inject ModelService service;

  @Override
  public HealthCheckResponse call() {
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
