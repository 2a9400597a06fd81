package io.modelship.operator.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.operator.api.AnalysisSpec;
import io.modelship.operator.api.OnNoData;
import io.modelship.operator.strategy.Analysis.Outcome;
import io.modelship.operator.strategy.Analysis.Verdict;
import io.modelship.operator.strategy.Analysis.Window;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnalysisTest {
  /** n requests, e of them errors, all within the bucket up to {@code ms}. */
  static Window window(
      long n, long e, double ms, long agreed, long disagreed, Map<String, Long> labels) {
    long[] buckets = new long[Analysis.BUCKETS_MS.length + 1];
    int b = 0;
    while (b < Analysis.BUCKETS_MS.length && Analysis.BUCKETS_MS[b] < ms) {
      b++;
    }
    buckets[b] = n;
    return new Window(n, e, buckets, agreed, disagreed, labels);
  }

  static Window requests(long n, long e, double ms) {
    return window(n, e, ms, 0, 0, Map.of());
  }

  static AnalysisSpec spec() {
    AnalysisSpec s = new AnalysisSpec();
    s.minSamples = 100;
    return s;
  }

  @Test
  void neverAVerdictOnFewerThanMinSamples() {
    AnalysisSpec s = spec();
    s.maxErrorRate = 0.01;
    // 99 requests, all failed: still no verdict.
    Verdict v = Analysis.evaluate(s, requests(99, 99, 1), Window.empty());
    assertThat(v.outcome()).isEqualTo(Outcome.NO_DATA);
    assertThat(v.reasons()).containsExactly("waiting for 99 of 100 requests to the candidate");
    assertThat(Analysis.evaluate(s, requests(100, 2, 1), Window.empty()).outcome())
        .isEqualTo(Outcome.FAIL);
    assertThat(Analysis.evaluate(s, requests(100, 1, 1), Window.empty()).outcome())
        .isEqualTo(Outcome.PASS);
  }

  @Test
  void onNoDataDecidesWhatTooFewSamplesMean() {
    Verdict noData = Analysis.evaluate(spec(), requests(5, 0, 1), Window.empty());
    assertThat(Analysis.resolve(noData, null)).isEqualTo(Outcome.NO_DATA);
    assertThat(Analysis.resolve(noData, OnNoData.Pause)).isEqualTo(Outcome.NO_DATA);
    assertThat(Analysis.resolve(noData, OnNoData.Fail)).isEqualTo(Outcome.FAIL);
    assertThat(Analysis.resolve(noData, OnNoData.Pass)).isEqualTo(Outcome.PASS);
    Verdict pass = Analysis.evaluate(spec(), requests(500, 0, 1), Window.empty());
    assertThat(Analysis.resolve(pass, OnNoData.Fail)).isEqualTo(Outcome.PASS);
  }

  @Test
  void errorRateAndLatencyGatesSayWhatFailed() {
    AnalysisSpec s = spec();
    s.maxErrorRate = 0.05;
    s.maxLatencyP99Ms = 50.0;
    Verdict v = Analysis.evaluate(s, requests(1000, 100, 150), Window.empty());
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons())
        .containsExactly(
            "error rate 10 % is above the limit of 5 %",
            "p99 latency ≤ 200 ms is above the limit of 50 ms");
    assertThat(v.figures().samples).isEqualTo(1000);
    assertThat(v.figures().errorRate).isEqualTo(0.1);
    assertThat(v.figures().latencyP99Ms).isEqualTo(200);
    Verdict slow = Analysis.evaluate(s, requests(1000, 0, 60_000), Window.empty());
    assertThat(slow.reasons()).containsExactly("p99 latency over 5 s is above the limit of 50 ms");
    assertThat(slow.figures().latencyP99Ms).isNull();
    assertThat(Analysis.evaluate(s, requests(1000, 50, 50), Window.empty()).outcome())
        .isEqualTo(Outcome.PASS);
  }

  @Test
  void agreementNeedsItsOwnSamples() {
    AnalysisSpec s = spec();
    s.minAgreement = 0.95;
    Verdict few = Analysis.evaluate(s, window(1000, 0, 1, 60, 30, Map.of()), Window.empty());
    assertThat(few.outcome()).isEqualTo(Outcome.NO_DATA);
    assertThat(few.reasons()).containsExactly("waiting for 90 of 100 compared mirrored answers");
    Verdict bad = Analysis.evaluate(s, window(1000, 0, 1, 180, 20, Map.of()), Window.empty());
    assertThat(bad.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(bad.reasons())
        .containsExactly("agreement with the stable revision 90 % is below the minimum of 95 %");
    assertThat(bad.figures().agreement).isEqualTo(0.9);
    assertThat(Analysis.evaluate(s, window(1000, 0, 1, 196, 4, Map.of()), Window.empty()).outcome())
        .isEqualTo(Outcome.PASS);
  }

  @Test
  void labelShiftIsTheTotalVariationDistance() {
    assertThat(Analysis.labelShift(Map.of("a", 50L, "b", 50L), Map.of("a", 5L, "b", 5L))).isZero();
    assertThat(Analysis.labelShift(Map.of("a", 10L), Map.of("b", 10L))).isEqualTo(1.0);
    assertThat(Analysis.labelShift(Map.of("a", 60L, "b", 40L), Map.of("a", 50L, "b", 50L)))
        .isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));

    AnalysisSpec s = spec();
    s.maxLabelShift = 0.2;
    Window stable =
        window(1000, 0, 1, 0, 0, Map.of("setosa", 333L, "versicolor", 333L, "virginica", 334L));
    Window skewed = window(300, 0, 1, 0, 0, Map.of("setosa", 300L));
    Verdict v = Analysis.evaluate(s, skewed, stable);
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
    assertThat(v.reasons().get(0)).startsWith("label distribution shifted by 66.");
    Window alike =
        window(300, 0, 1, 0, 0, Map.of("setosa", 95L, "versicolor", 105L, "virginica", 100L));
    assertThat(Analysis.evaluate(s, alike, stable).outcome()).isEqualTo(Outcome.PASS);
    Window fewStable = window(1000, 0, 1, 0, 0, Map.of("setosa", 50L));
    assertThat(Analysis.evaluate(s, alike, fewStable).outcome()).isEqualTo(Outcome.NO_DATA);
  }

  @Test
  void aFailedGateWinsOverMissingData() {
    AnalysisSpec s = spec();
    s.maxErrorRate = 0.01;
    s.minAgreement = 0.9;
    Verdict v = Analysis.evaluate(s, requests(1000, 500, 1), Window.empty());
    assertThat(v.outcome()).isEqualTo(Outcome.FAIL);
  }

  @Test
  void windowsAreDifferencesAndSurviveARouterRestart() {
    Window before = window(100, 5, 1, 10, 1, Map.of("a", 100L));
    Window after = window(300, 6, 1, 40, 2, Map.of("a", 250L, "b", 50L));
    Window w = Window.between(before, after);
    assertThat(w.requests()).isEqualTo(200);
    assertThat(w.errors()).isEqualTo(1);
    assertThat(w.agreed()).isEqualTo(30);
    assertThat(w.labels()).containsEntry("a", 150L).containsEntry("b", 50L);
    assertThat(w.latencyBuckets()[1]).isEqualTo(200);
    Window restarted = window(20, 0, 1, 0, 0, Map.of());
    assertThat(Window.between(after, restarted)).isSameAs(restarted);
    assertThat(Window.between(null, after)).isSameAs(after);
  }
}
