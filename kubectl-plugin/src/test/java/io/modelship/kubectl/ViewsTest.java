package io.modelship.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.operator.api.ModelDeployment;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ViewsTest {
  static final Instant NOW = Instant.parse("2026-12-05T10:05:30Z");

  static Snapshot snapshot(ModelDeployment md) {
    return new Snapshot(
        md,
        List.of(
            new Snapshot.Workload("iris-aaaa111111", "aaaa111111", 2, 2),
            new Snapshot.Workload("iris-bbbb222222", "bbbb222222", 1, 1),
            new Snapshot.Workload("iris-router", null, 1, 1)),
        List.of(
            new Snapshot.EventLine(
                Instant.parse("2026-12-05T10:04:00Z"),
                "Normal",
                "Progressing",
                "step 1/4: setWeight 20: waiting for 1 ready candidate pods (0 so far)",
                1),
            new Snapshot.EventLine(
                Instant.parse("2026-12-05T10:04:20Z"),
                "Normal",
                "Progressing",
                "step 4/4: paused at 50 %",
                2)),
        NOW);
  }

  @Test
  void statusIsATreeOfTheRollout() {
    String text = Views.status(snapshot(Fixtures.canaryAtOpenPause("models", "iris")));
    assertThat(text)
        .contains("Name:       models/iris\n")
        .contains("Model:      iris:2 (rolling out)\n")
        .contains("Strategy:   Canary\n")
        .contains(
            "Phase:      Progressing  step 4/4: paused at 50 % until promoted"
                + " (modelship.io/action=promote)\n")
        .contains("Traffic:    [██████████░░░░░░░░░░] stable 50 % · candidate 50 %\n")
        .contains("  ✔ 1. setWeight 20\n  ✔ 2. pause 10s\n  ✔ 3. setWeight 50\n")
        .contains("  ► 4. pause (until promoted)\n")
        .contains("Analysis: (evaluated 30s ago)\n")
        .containsPattern("  samples +640 +>= 100 +pass\n")
        .containsPattern("  error rate +0.200 % +<= 1 % +pass\n")
        .containsPattern("  p99 latency +71.5 ms +<= 50 ms +FAIL\n")
        .containsPattern("  aaaa111111 +iris:1 +stable +2/2 ready +50 % of traffic\n")
        .containsPattern("  bbbb222222 +iris:2 +candidate +1/1 ready +50 % of traffic\n")
        .containsPattern("  router +router +1/1 ready\n")
        .containsPattern("  70s +Normal +Progressing +step 4/4: paused at 50 % \\(x2\\)\n");
  }

  @Test
  void statusAsJsonHasTheSameFacts() {
    Map<String, Object> m =
        Views.statusJson(snapshot(Fixtures.canaryAtOpenPause("models", "iris")));
    assertThat(m)
        .containsEntry("name", "iris")
        .containsEntry("phase", "Progressing")
        .containsEntry("candidateRevision", "bbbb222222")
        .containsEntry("currentStep", 3);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> steps = (List<Map<String, Object>>) m.get("steps");
    assertThat(steps)
        .extracting(s -> s.get("state"))
        .containsExactly("done", "done", "done", "current");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> gates = (List<Map<String, Object>>) m.get("analysis");
    assertThat(gates)
        .extracting(g -> g.get("gate") + "=" + g.get("verdict"))
        .containsExactly(
            "samples=pass", "error rate=pass", "p99 latency=FAIL", "failed evaluations=pass");
  }

  @Test
  void listIsOneRowPerModelDeployment() {
    String text =
        Views.list(
            List.of(
                Fixtures.canaryAtOpenPause("models", "iris"), Fixtures.healthy("models", "wine")),
            false,
            NOW);
    assertThat(text.lines().toList())
        .containsExactly(
            "NAME  STRATEGY  PHASE        STABLE      CANDIDATE   TRAFFIC  READY  AGE",
            "iris  Canary    Progressing  aaaa111111  bbbb222222  50/50    2/2    5m",
            "wine  Canary    Healthy      aaaa111111  -           100      2/2    5m");
  }

  @Test
  void historyListsEachRolloutWithItsTraffic() {
    String text = Views.history(Fixtures.canaryAtOpenPause("models", "iris"));
    assertThat(text.lines().toList())
        .containsExactly(
            "REVISION    MODEL   STRATEGY  STARTED               TOOK  OUTCOME     TRAFFIC  REASON",
            "aaaa111111  iris:1  Canary    2026-12-05T10:00:00Z  20s   Promoted    100      revision aaaa111111 serves",
            "bbbb222222  iris:2  Canary    2026-12-05T10:04:00Z  -     InProgress  0→20→50");
  }

  @Test
  void watchComparesViewsWithoutTheirAges() {
    ModelDeployment md = Fixtures.canaryAtOpenPause("models", "iris");
    Snapshot now = snapshot(md);
    Snapshot later = new Snapshot(md, now.workloads(), now.events(), NOW.plusSeconds(95));
    assertThat(Views.status(later)).isNotEqualTo(Views.status(now));
    assertThat(Views.withoutAges(Views.status(later)))
        .isEqualTo(Views.withoutAges(Views.status(now)));
    ModelDeployment moved = Fixtures.canaryAtOpenPause("models", "iris");
    moved.getStatus().traffic.candidate = 60;
    assertThat(Views.withoutAges(Views.status(snapshot(moved))))
        .isNotEqualTo(Views.withoutAges(Views.status(now)));
  }

  @Test
  void ageIsKubectls() {
    assertThat(Views.age(NOW.minusSeconds(5), NOW)).isEqualTo("5s");
    assertThat(Views.age(NOW.minusSeconds(600), NOW)).isEqualTo("10m");
    assertThat(Views.age(NOW.minusSeconds(3 * 3600), NOW)).isEqualTo("3h");
    assertThat(Views.age(NOW.minusSeconds(5 * 86400), NOW)).isEqualTo("5d");
  }
}
