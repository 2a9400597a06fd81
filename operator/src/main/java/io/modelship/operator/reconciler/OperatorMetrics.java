package io.modelship.operator.reconciler;

import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.Phase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code modelship_modeldeployments{phase}} counted from the informer cache, and {@code
 * modelship_reconciles_total{phase}}; JOSDK adds its own reconcile and error counters.
 */
@ApplicationScoped
public class OperatorMetrics {
  @Inject MeterRegistry registry;

  private final Map<Phase, Counter> reconciles = new EnumMap<>(Phase.class);

  void watch(IndexedResourceCache<ModelDeployment> cache) {
    for (Phase p : Phase.values()) {
      Gauge.builder("modelship.modeldeployments", cache, c -> count(c, p))
          .description("ModelDeployments by phase")
          .tag("phase", p.name())
          .register(registry);
      reconciles.put(
          p,
          Counter.builder("modelship.reconciles")
              .description("Reconciles, by the phase they ended in")
              .tag("phase", p.name())
              .register(registry));
    }
  }

  private static double count(IndexedResourceCache<ModelDeployment> cache, Phase p) {
    return cache.list().filter(md -> md.getStatus() != null && md.getStatus().phase == p).count();
  }

  void reconciled(Phase phase) {
    Counter c = reconciles.get(phase);
    if (c != null) {
      c.increment();
    }
  }
}
