package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.operator.api.Phase;
import io.modelship.operator.strategy.Decision;
import io.modelship.operator.strategy.Plan;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingTest {
  static Decision decision(Phase phase, String stable, String candidate) {
    return new Decision(
        new Plan(Map.of(), Set.of(), phase, phase == Phase.Healthy, "r", "m"),
        stable,
        candidate,
        null,
        null,
        0);
  }

  @Test
  void aPromoteStaysUntilStatusRecordsTheNewStableRevision() {
    // Still scaling the candidate up for the promotion.
    assertThat(Routing.promotionPending(decision(Phase.Progressing, "v1", "v2"), "v1")).isTrue();
    // Switched in this reconcile (BlueGreen): status still says v1 until it is written.
    assertThat(Routing.promotionPending(decision(Phase.Healthy, "v2", null), "v1")).isTrue();
    // Status already says v2: done, the annotation can go.
    assertThat(Routing.promotionPending(decision(Phase.Healthy, "v2", null), "v2")).isFalse();
    // Rolled back instead: nothing left to promote.
    assertThat(Routing.promotionPending(decision(Phase.RolledBack, "v1", null), "v1")).isFalse();
  }
}
