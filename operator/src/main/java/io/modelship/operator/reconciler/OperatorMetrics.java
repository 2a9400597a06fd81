package io.modelship.operator.reconciler;

import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.Phase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code modelship_modeldeployments{phase}} counted from the informer cache, {@code
 * modelship_reconciles_total{phase}}, and {@code modelship_rollbacks_total{namespace, name,
 * reason}}, one for each time a ModelDeployment's status entered RolledBack; JOSDK adds its own
 * reconcile and error counters.
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

  /**
   * Counts a rollback if this reconcile moved the ModelDeployment into RolledBack. The status in
   * force before is the one read from the API server, so a restarted operator or a repeated
   * reconcile of an already rolled back ModelDeployment counts nothing.
   */
  void transition(
      String namespace, String name, ModelDeploymentStatus before, ModelDeploymentStatus after) {
    rollbackReason(before, after)
        .ifPresent(
            reason ->
                Counter.builder("modelship.rollbacks")
                    .description(
                        "Rollouts rolled back (analysis failed, aborted, candidate failed), by"
                            + " ModelDeployment and the reason of its Degraded condition")
                    .tag("namespace", namespace)
                    .tag("name", name)
                    .tag("reason", reason)
                    .register(registry)
                    .increment());
  }

  /**
   * The reason to count a rollback under, when {@code after} is RolledBack and {@code before} was
   * not: the Degraded condition's reason, or {@code Unknown} if there is none.
   */
  static Optional<String> rollbackReason(
      ModelDeploymentStatus before, ModelDeploymentStatus after) {
    if (after == null || after.phase != Phase.RolledBack) {
      return Optional.empty();
    }
    if (before != null && before.phase == Phase.RolledBack) {
      return Optional.empty();
    }
    String reason =
        after.conditions == null
            ? null
            : after.conditions.stream()
                .filter(c -> "Degraded".equals(c.getType()) && "True".equals(c.getStatus()))
                .map(c -> c.getReason())
                .filter(r -> r != null && !r.isBlank())
                .findFirst()
                .orElse(null);
    return Optional.of(reason == null ? "Unknown" : reason);
  }
}
