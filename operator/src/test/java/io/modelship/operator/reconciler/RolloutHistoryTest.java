package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.ModelSpec;
import io.modelship.operator.api.RolloutRecord;
import io.modelship.operator.api.StrategySpec;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.api.TrafficStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class RolloutHistoryTest {
  static ModelDeploymentSpec spec(String version, StrategyType type) {
    ModelDeploymentSpec s = new ModelDeploymentSpec();
    s.model = new ModelSpec();
    s.model.name = "iris";
    s.model.version = version;
    s.strategy = new StrategySpec();
    s.strategy.type = type;
    return s;
  }

  static ModelDeploymentStatus status(
      String stable, String candidate, Integer step, int weight, List<RolloutRecord> history) {
    ModelDeploymentStatus s = new ModelDeploymentStatus();
    s.stableRevision = stable;
    s.candidateRevision = candidate;
    s.currentStep = step;
    s.traffic = new TrafficStatus(100 - weight, weight, 0);
    s.history = history;
    return s;
  }

  static ModelDeploymentStatus rejected(
      String stable, String rejected, String reason, String message, List<RolloutRecord> h) {
    ModelDeploymentStatus s = status(stable, null, null, 0, h);
    s.rejectedRevision = rejected;
    s.conditions.add(
        new ConditionBuilder()
            .withType("Degraded")
            .withStatus("True")
            .withReason(reason)
            .withMessage(message)
            .build());
    return s;
  }

  @Test
  void aFirstDeploymentIsOneRecordPromotedWhenItServes() {
    var spec = spec("1", StrategyType.Canary);
    ModelDeploymentStatus none = new ModelDeploymentStatus();
    var h1 = RolloutHistory.next(spec, none, status(null, "a", null, 0, null), "T1");
    assertThat(h1).hasSize(1);
    assertThat(h1.get(0).finishedAt).isNull();
    var prev = status(null, "a", null, 0, h1);
    var h2 = RolloutHistory.next(spec, prev, status("a", null, null, 0, h1), "T2");
    assertThat(h2).hasSize(1);
    RolloutRecord r = h2.get(0);
    assertThat(r.revision).isEqualTo("a");
    assertThat(r.previousRevision).isNull();
    assertThat(r.model).isEqualTo("iris:1");
    assertThat(r.strategy).isEqualTo("Canary");
    assertThat(r.outcome).isEqualTo("Promoted");
    assertThat(r.startedAt).isEqualTo("T1");
    assertThat(r.finishedAt).isEqualTo("T2");
    assertThat(r.traffic).extracting(p -> p.weight).containsExactly(0, 100);
    // Nothing new on a quiet reconcile: the same history, so no status write.
    var prev2 = status("a", null, null, 0, h2);
    var h3 = RolloutHistory.next(spec, prev2, status("a", null, null, 0, h2), "T3");
    assertThat(RolloutHistory.same(h2, h3)).isTrue();
  }

  @Test
  void aRevisionThatServesAtOnceIsRecordedAsPromoted() {
    var h =
        RolloutHistory.next(
            spec("1", StrategyType.Recreate),
            new ModelDeploymentStatus(),
            status("a", null, null, 0, null),
            "T1");
    assertThat(h).singleElement().satisfies(r -> assertThat(r.outcome).isEqualTo("Promoted"));
  }

  @Test
  void aCanaryRecordsEachShareAndStepUntilPromoted() {
    var spec = spec("2", StrategyType.Canary);
    List<RolloutRecord> h = null;
    ModelDeploymentStatus prev = status("a", null, null, 0, null);
    String[][] seen = {{"0", "0"}, {"0", "0"}, {"1", "20"}, {"1", "20"}, {"3", "50"}, {"4", "80"}};
    int t = 0;
    for (String[] s : seen) {
      ModelDeploymentStatus next =
          status("a", "b", Integer.parseInt(s[0]), Integer.parseInt(s[1]), h);
      h = RolloutHistory.next(spec, prev, next, "T" + t++);
      next.history = h;
      prev = next;
    }
    h = RolloutHistory.next(spec, prev, status("b", null, null, 0, h), "T9");
    RolloutRecord r = h.get(h.size() - 1);
    assertThat(r.previousRevision).isEqualTo("a");
    assertThat(r.outcome).isEqualTo("Promoted");
    assertThat(r.traffic)
        .extracting(p -> p.step + "/" + p.weight + "@" + p.at)
        .containsExactly("0/0@T0", "1/20@T2", "3/50@T4", "4/80@T5", "null/100@T9");
  }

  @Test
  void aRollbackAndAnAbortAreToldApartByTheDegradedReason() {
    var spec = spec("2", StrategyType.Canary);
    var open =
        RolloutHistory.next(
            spec, status("a", null, null, 0, null), status("a", "b", 1, 20, null), "T1");
    var rolledBack =
        RolloutHistory.next(
            spec,
            status("a", "b", 1, 20, open),
            rejected("a", "b", "AnalysisFailed", "step 2/4: analysis failed: error rate 0.2", open),
            "T2");
    assertThat(rolledBack.get(0).outcome).isEqualTo("RolledBack");
    assertThat(rolledBack.get(0).reason).isEqualTo("step 2/4: analysis failed: error rate 0.2");
    assertThat(rolledBack.get(0).traffic).extracting(p -> p.weight).containsExactly(20, 0);

    var aborted =
        RolloutHistory.next(
            spec,
            status("a", "b", 1, 20, open),
            rejected(
                "a", "b", "Aborted", "rollout of b aborted by modelship.io/action=abort", open),
            "T2");
    assertThat(aborted.get(0).outcome).isEqualTo("Aborted");
  }

  @Test
  void aNewSpecDuringARolloutSupersedesItAndOpensAnother() {
    var open =
        RolloutHistory.next(
            spec("2", StrategyType.Canary),
            status("a", null, null, 0, null),
            status("a", "b", 0, 0, null),
            "T1");
    var h =
        RolloutHistory.next(
            spec("3", StrategyType.Canary),
            status("a", "b", 0, 0, open),
            status("a", "c", 0, 0, open),
            "T2");
    assertThat(h)
        .extracting(r -> r.revision + ":" + r.outcome)
        .containsExactly("b:Superseded", "c:null");
    assertThat(h.get(0).reason).isEqualTo("the spec changed to revision c");
    assertThat(h.get(1).model).isEqualTo("iris:3");
  }

  @Test
  void historyKeepsTheLatestTenRecordsAndThirtyPointsEach() {
    var spec = spec("2", StrategyType.Canary);
    List<RolloutRecord> h = null;
    ModelDeploymentStatus prev = status("r0", null, null, 0, null);
    for (int i = 1; i <= 12; i++) {
      ModelDeploymentStatus cand = status("r" + (i - 1), "r" + i, 0, 0, h);
      h = RolloutHistory.next(spec, prev, cand, "S" + i);
      cand.history = h;
      ModelDeploymentStatus done = status("r" + i, null, null, 0, h);
      h = RolloutHistory.next(spec, cand, done, "E" + i);
      done.history = h;
      prev = done;
    }
    assertThat(h).hasSize(RolloutHistory.MAX_RECORDS);
    assertThat(h.get(0).revision).isEqualTo("r3");
    ModelDeploymentStatus last = status("r12", "x", 0, 0, h);
    h = RolloutHistory.next(spec, prev, last, "X0");
    last.history = h;
    for (int i = 1; i <= 40; i++) {
      ModelDeploymentStatus next = status("r12", "x", i, i, h);
      h = RolloutHistory.next(spec, last, next, "X" + i);
      next.history = h;
      last = next;
    }
    RolloutRecord x = h.get(h.size() - 1);
    assertThat(x.traffic).hasSize(RolloutHistory.MAX_POINTS);
    assertThat(x.traffic.get(0).at).isEqualTo("X0");
    assertThat(x.traffic.get(x.traffic.size() - 1).at).isEqualTo("X40");
  }
}
