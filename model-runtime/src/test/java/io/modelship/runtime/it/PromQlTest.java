package io.modelship.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelship.runtime.it.PromQl.LabelUse;
import io.modelship.runtime.it.PromQl.Selector;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void findsTheMetricAndMatcherLabelsOfASelector() {
    PromQl.Query q =
        PromQl.parse(
            "rate(modelship_requests_total{namespace=~\"$namespace\", status!=\"200\"}"
                + "[$__rate_interval])");
    assertThat(q.selectors())
        .containsExactly(new Selector("modelship_requests_total", Set.of("namespace", "status")));
  }

  @Test
  void bareMetricsAndBothSidesOfABinaryOperationAreMetrics() {
    PromQl.Query q = PromQl.parse("a_total / ignoring(x) group_left b_total > 0.5 and on() c");
    assertThat(q.metrics()).containsExactly("a_total", "b_total", "c");
  }

  @Test
  void functionsAggregationsKeywordsNumbersAndDurationsAreNotMetrics() {
    PromQl.Query q =
        PromQl.parse(
            "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))) "
                + "or (y unless y offset 15m) or max_over_time(z[1h:5m]) * 1e3 + vector(1)");
    assertThat(q.metrics()).containsExactly("x_bucket", "y", "z");
  }

  @Test
  void prefixAndPostfixByApplyToTheAggregatedExpressionOnly() {
    PromQl.Query q =
        PromQl.parse("sum by (model, le) (rate(a_bucket[5m])) / sum(rate(b_total[5m])) by (model)");
    assertThat(q.labelUses())
        .containsExactly(
            new LabelUse("by", Set.of("model", "le"), Set.of("a_bucket"), true),
            new LabelUse("by", Set.of("model"), Set.of("b_total"), true));
  }

  @Test
  void vectorMatchingLabelsNeedToBeOnOneSideOnly() {
    PromQl.Query q = PromQl.parse("a / on (pod) group_left (node) b");
    assertThat(q.labelUses())
        .containsExactly(
            new LabelUse("on", Set.of("pod"), Set.of("a", "b"), false),
            new LabelUse("group_left", Set.of("node"), Set.of("a", "b"), false));
  }

  @Test
  void grafanasLabelValuesNamesALabelOfItsMetric() {
    PromQl.Query q =
        PromQl.parse("label_values(modelship_requests_total{namespace=~\"$namespace\"}, pod)");
    assertThat(q.metrics()).containsExactly("modelship_requests_total");
    assertThat(q.labelUses())
        .containsExactly(
            new LabelUse("label_values", Set.of("pod"), Set.of("modelship_requests_total"), true));
  }

  @Test
  void stringsMayHoldAnything() {
    PromQl.Query q = PromQl.parse("m{a=\"x{y}(z) \\\" w\", b='q'}");
    assertThat(q.selectors()).containsExactly(new Selector("m", Set.of("a", "b")));
  }

  @Test
  void refusesWhatItCannotRead() {
    assertThatThrownBy(() -> PromQl.parse("sum(rate(x[5m])"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unclosed (");
    assertThatThrownBy(() -> PromQl.parse("rate(x[5m]))")).hasMessageContaining("unopened )");
    assertThatThrownBy(() -> PromQl.parse("{__name__=\"x\"}"))
        .hasMessageContaining("without a metric name");
    assertThatThrownBy(() -> PromQl.parse("x{a=\"1\" b=\"2\"}"))
        .hasMessageContaining("separated by commas");
    assertThatThrownBy(() -> PromQl.parse("sum by (a) x")).hasMessageContaining("not next to");
    assertThatThrownBy(() -> PromQl.parse("x{a=\"1}")).hasMessageContaining("unterminated");
    assertThatThrownBy(() -> PromQl.parse("x # y")).hasMessageContaining("unexpected character");
  }
}
