package io.modelship.runtime.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per model and endpoint: {@code modelship_requests_total{status}}, {@code
 * modelship_request_errors_total{kind=client|server}} and the latency histogram {@code
 * modelship_request_duration_seconds}; per model, with batching on, the histogram of rows per model
 * call {@code modelship_batch_size_rows}. Meters are created on first use and then found by array
 * index: a registry lookup per request would cost more than the prediction.
 *
 * <p>Per pod, {@code modelship_inflight_requests}: prediction requests accepted and not yet
 * answered. It exists from start-up (at 0), so that a HorizontalPodAutoscaler's Pods metric ({@code
 * spec.autoscaling.targetInflightRequests}) finds every pod, idle ones included.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class RuntimeMetrics {

  private static final Duration[] BUCKETS = {
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
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

  /** Powers of two up to the largest batch a runtime takes. */
  private static final double[] BATCH_BUCKETS = {
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096
  };

  @Inject MeterRegistry registry;

  private final AtomicInteger inflight = new AtomicInteger();

  @PostConstruct
  void registerGauges() {
    Gauge.builder("modelship.inflight.requests", inflight, AtomicInteger::get)
        .description("Prediction requests accepted and not yet answered, in this pod")
        .register(registry);
  }

  /** A prediction request was accepted; {@link #answered()} must follow once it ends. */
  public void started() {
    inflight.incrementAndGet();
  }

  /** A request counted by {@link #started()} has ended (answered, refused or cut off). */
  public void answered() {
    inflight.decrementAndGet();
  }

  /** Requests in flight now. */
  public int inflight() {
    return inflight.get();
  }

  /** The meters of one model; the runtime serves one, so one set is cached. */
  private final class Meters {
    final String model;
    final Counter[][] requests = new Counter[Endpoint.values().length][600];
    final Counter[][] errors = new Counter[Endpoint.values().length][2];
    final Timer[] latency = new Timer[Endpoint.values().length];
    DistributionSummary batchSize;

    Meters(String model) {
      this.model = model;
    }

    // Creation races are harmless: the registry hands out the same meter for the same id.
    Counter requests(Endpoint e, int status) {
      Counter c = requests[e.ordinal()][status];
      if (c == null) {
        c =
            Counter.builder("modelship.requests")
                .description("Prediction requests by model, endpoint and HTTP status")
                .tag("model", model)
                .tag("endpoint", e.tag())
                .tag("status", Integer.toString(status))
                .register(registry);
        requests[e.ordinal()][status] = c;
      }
      return c;
    }

    Counter errors(Endpoint e, boolean server) {
      int i = server ? 1 : 0;
      Counter c = errors[e.ordinal()][i];
      if (c == null) {
        c =
            Counter.builder("modelship.request.errors")
                .description("Refused or failed prediction requests (client: 4xx, server: 5xx)")
                .tag("model", model)
                .tag("endpoint", e.tag())
                .tag("kind", server ? "server" : "client")
                .register(registry);
        errors[e.ordinal()][i] = c;
      }
      return c;
    }

    Timer latency(Endpoint e) {
      Timer t = latency[e.ordinal()];
      if (t == null) {
        t =
            Timer.builder("modelship.request.duration")
                .description("Server time per prediction request, arrival to answer")
                .tag("model", model)
                .tag("endpoint", e.tag())
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        latency[e.ordinal()] = t;
      }
      return t;
    }

    DistributionSummary batchSize() {
      DistributionSummary d = batchSize;
      if (d == null) {
        d =
            DistributionSummary.builder("modelship.batch.size")
                .description("Rows per model call when concurrent requests are batched")
                .baseUnit("rows")
                .tag("model", model)
                .serviceLevelObjectives(BATCH_BUCKETS)
                .register(registry);
        batchSize = d;
      }
      return d;
    }
  }

  private volatile Meters meters;

  private Meters meters(String model) {
    Meters m = meters;
    if (m == null || !m.model.equals(model)) {
      m = new Meters(model);
      meters = m;
    }
    return m;
  }

  public void record(String model, Endpoint endpoint, int status, long nanos) {
    Meters m = meters(model);
    if (status >= 100 && status < 600) {
      m.requests(endpoint, status).increment();
    }
    if (status >= 400) {
      m.errors(endpoint, status >= 500).increment();
    }
    m.latency(endpoint).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One batch of {@code rows} rows went to the model in one call. */
  public void batch(String model, int rows) {
    meters(model).batchSize().record(rows);
  }
}
