package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.operator.api.Phase;
import io.modelship.operator.desired.TrafficTable;
import io.modelship.operator.strategy.Analysis;
import io.modelship.operator.strategy.Decision;
import io.modelship.operator.strategy.Plan;
import java.util.ArrayList;
import java.util.List;
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

  /** Records the PUTs and answers each with a fixed status. */
  static class FakeRouters extends RouterClient {
    final List<String> puts = new ArrayList<>();
    final Map<String, Integer> status;

    FakeRouters(Map<String, Integer> status) {
      this.status = status;
    }

    @Override
    public int put(String endpoint, String token, String tableJson) {
      puts.add(endpoint);
      return status.getOrDefault(endpoint, 200);
    }
  }

  static RouterClient.View view(String stable, String candidate, int weight, long version) {
    return new RouterClient.View(
        stable, candidate, weight, version, Analysis.Window.empty(), Analysis.Window.empty());
  }

  static final TrafficTable TABLE =
      TrafficTable.of("v2", null, Map.of("v2", List.of("10.0.0.1:8080")), 0, null, 0)
          .versioned(null, 1000);

  @Test
  void aChangedTableGoesToEveryRouterAlsoThoseThatDidNotAnswer() {
    Routing.Observed o =
        new Routing.Observed(
            Map.of("r1:8080", view("v2", null, 0, 1000)), Map.of(), Set.of("r2:8080"));
    FakeRouters client = new FakeRouters(Map.of());
    assertThat(o.push(client, "t", TABLE, true)).isEqualTo(Routing.PushResult.OK);
    assertThat(client.puts).containsExactly("r1:8080", "r2:8080");

    // Unchanged: only the router whose table is unknown or older gets it.
    FakeRouters again = new FakeRouters(Map.of());
    Routing.Observed older =
        new Routing.Observed(
            Map.of("r1:8080", view("v2", null, 0, 1000), "r3:8080", view("v2", null, 0, 999)),
            Map.of(),
            Set.of("r2:8080"));
    older.push(again, "t", TABLE, false);
    assertThat(again.puts).containsExactlyInAnyOrder("r2:8080", "r3:8080");
  }

  @Test
  void aRefusedTokenAndAnUntakenTableAreReported() {
    Routing.Observed o =
        new Routing.Observed(
            Map.of("r1:8080", view("v1", null, 0, 5), "r2:8080", view("v1", null, 0, 5)),
            Map.of(),
            Set.of());
    assertThat(o.push(new FakeRouters(Map.of("r2:8080", 0)), "t", TABLE, true))
        .isEqualTo(Routing.PushResult.NOT_TAKEN);
    assertThat(o.push(new FakeRouters(Map.of("r1:8080", 0, "r2:8080", 401)), "t", TABLE, true))
        .isEqualTo(Routing.PushResult.TOKEN_REFUSED);
  }

  @Test
  void aRouterThatDidNotAnswerMayStillRouteAnyRevision() {
    Routing.Observed known =
        new Routing.Observed(Map.of("r1:8080", view("v2", null, 0, 1)), Map.of(), Set.of());
    assertThat(known.routes("v1")).isFalse();
    assertThat(known.routes("v2")).isTrue();
    Routing.Observed unknown =
        new Routing.Observed(
            Map.of("r1:8080", view("v2", null, 0, 1)), Map.of(), Set.of("r2:8080"));
    assertThat(unknown.routes("v1")).isTrue();
  }
}
