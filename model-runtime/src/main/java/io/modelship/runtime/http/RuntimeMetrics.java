package io.modelship.runtime.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Per model and endpoint: {@code modelship_requests_total{status}}, {@code
 * modelship_request_errors_total{kind=client|server}} and the latency histogram {@code
 * modelship_request_duration_seconds}. Meters are created once and cached: a registry lookup per
 * request would cost more than the prediction.
 */
@ApplicationScoped
public class RuntimeMetrics {

  private static final Duration[] BUCKETS = {
    Duration.ofMillis(0).plusNanos(100_000),
    Duration.ofMillis(0).plusNanos(250_000),
    Duration.ofMillis(0).plusNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5)
  };

  @Inject MeterRegistry registry;

  private final Map<String, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();

  public void record(String model, Endpoint endpoint, int status, long nanos) {
    String key = model + '|' + endpoint.tag();
    requests
        .computeIfAbsent(
            key + '|' + status,
            k ->
                Counter.builder("modelship.requests")
                    .description("Prediction requests by model, endpoint and HTTP status")
                    .tag("model", model)
                    .tag("endpoint", endpoint.tag())
                    .tag("status", Integer.toString(status))
                    .register(registry))
        .increment();
    if (status >= 400) {
      String kind = status >= 500 ? "server" : "client";
      errors
          .computeIfAbsent(
              key + '|' + kind,
              k ->
                  Counter.builder("modelship.request.errors")
                      .description(
                          "Refused or failed prediction requests (client: 4xx, server: 5xx)")
                      .tag("model", model)
                      .tag("endpoint", endpoint.tag())
                      .tag("kind", kind)
                      .register(registry))
          .increment();
    }
    latency
        .computeIfAbsent(
            key,
            k ->
                Timer.builder("modelship.request.duration")
                    .description(
                        "Server time per prediction request, body read to response written")
                    .tag("model", model)
                    .tag("endpoint", endpoint.tag())
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }
}
