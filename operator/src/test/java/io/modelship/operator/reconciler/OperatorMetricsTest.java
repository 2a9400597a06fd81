package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

  static ModelDeploymentStatus status(Phase phase, Condition... conditions) {
    ModelDeploymentStatus s = new ModelDeploymentStatus();
    s.phase = phase;
    s.conditions = new java.util.ArrayList<>(List.of(conditions));
    return s;
  }

  static Condition degraded(String status, String reason) {
    return new ConditionBuilder()
        .withType("Degraded")
        .withStatus(status)
        .withReason(reason)
        .build();
  }

  @Test
  void enteringRolledBackCountsUnderTheDegradedReason() {
    assertThat(
            OperatorMetrics.rollbackReason(
                status(Phase.Progressing),
                status(
                    Phase.RolledBack,
                    new ConditionBuilder().withType("Ready").withStatus("False").build(),
                    degraded("True", "AnalysisFailed"))))
        .contains("AnalysisFailed");
  }

  @Test
  void aFirstStatusThatIsAlreadyRolledBackCounts() {
    assertThat(
            OperatorMetrics.rollbackReason(
                new ModelDeploymentStatus(),
                status(Phase.RolledBack, degraded("True", "ProgressDeadlineExceeded"))))
        .contains("ProgressDeadlineExceeded");
  }

  @Test
  void stayingRolledBackCountsNothing() {
    assertThat(
            OperatorMetrics.rollbackReason(
                status(Phase.RolledBack, degraded("True", "AnalysisFailed")),
                status(Phase.RolledBack, degraded("True", "AnalysisFailed"))))
        .isEmpty();
  }

  @Test
  void otherPhasesCountNothing() {
    for (Phase p : Phase.values()) {
      if (p != Phase.RolledBack) {
        assertThat(
                OperatorMetrics.rollbackReason(
                    status(Phase.Progressing), status(p, degraded("True", "X"))))
            .as("%s", p)
            .isEmpty();
      }
    }
  }

  @Test
  void withoutATrueDegradedConditionTheReasonIsUnknown() {
    assertThat(
            OperatorMetrics.rollbackReason(
                status(Phase.Paused), status(Phase.RolledBack, degraded("False", "AsExpected"))))
        .contains("Unknown");
    ModelDeploymentStatus none = status(Phase.RolledBack);
    none.conditions = null;
    assertThat(OperatorMetrics.rollbackReason(status(Phase.Paused), none)).contains("Unknown");
  }

  @Test
  void aRollbackIncrementsOneSeriesPerModelDeploymentAndReason() {
    OperatorMetrics m = new OperatorMetrics();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    m.registry = registry;
    ModelDeploymentStatus progressing = status(Phase.Progressing);
    ModelDeploymentStatus rolledBack = status(Phase.RolledBack, degraded("True", "Aborted"));

    m.transition("team-a", "iris", progressing, rolledBack);
    m.transition("team-a", "iris", rolledBack, rolledBack); // the next reconcile
    m.transition("team-a", "iris", progressing, rolledBack); // a later rollout, rolled back too
    m.transition("team-b", "iris", progressing, rolledBack);
    m.transition("team-b", "iris", progressing, status(Phase.Healthy));

    assertThat(
            registry
                .get("modelship.rollbacks")
                .tags("namespace", "team-a", "name", "iris", "reason", "Aborted")
                .counter()
                .count())
        .isEqualTo(2.0);
    assertThat(
            registry
                .get("modelship.rollbacks")
                .tags("namespace", "team-b", "name", "iris", "reason", "Aborted")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(registry.find("modelship.rollbacks").counters()).hasSize(2);
  }
}
