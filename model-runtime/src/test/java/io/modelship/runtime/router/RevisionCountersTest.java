package io.modelship.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RevisionCountersTest {
  private static final long MS = 1_000_000;

  @Test
  void countsRequestsErrorsAndLabels() {
    RevisionCounters c = new RevisionCounters("v2");
    c.answered(200, 3 * MS, List.of("setosa"));
    c.answered(200, 3 * MS, List.of("setosa", "virginica"));
    c.answered(503, 1 * MS, null);
    c.answered(0, 5000 * MS, null);
    c.answered(422, 1 * MS, null);
    RevisionCounters.Snapshot s = c.snapshot();
    assertThat(s.requests()).isEqualTo(5);
    assertThat(s.errors()).isEqualTo(2);
    assertThat(s.errorRate()).isEqualTo(0.4);
    assertThat(s.labels()).containsEntry("setosa", 2L).containsEntry("virginica", 1L);
  }

  @Test
  void quantilesComeFromTheBucketsAsUpperBounds() {
    RevisionCounters c = new RevisionCounters("v1");
    for (int i = 0; i < 98; i++) {
      c.answered(200, MS / 4, null);
    }
    c.answered(200, 15 * MS, null);
    c.answered(200, 15 * MS, null);
    RevisionCounters.Snapshot s = c.snapshot();
    assertThat(s.quantileMillis(0.5)).isEqualTo(0.5);
    assertThat(s.quantileMillis(0.98)).isEqualTo(0.5);
    assertThat(s.quantileMillis(0.99)).isEqualTo(20);
    assertThat(new RevisionCounters("x").snapshot().quantileMillis(0.99)).isNaN();
    c.answered(200, 60_000 * MS, null);
    assertThat(c.snapshot().quantileMillis(1.0)).isInfinite();
  }

  @Test
  void agreementIgnoresIncomparableAnswers() {
    RevisionCounters c = new RevisionCounters("v2");
    assertThat(c.snapshot().agreement()).isNaN();
    c.mirrored(Answers.Comparison.AGREE);
    c.mirrored(Answers.Comparison.AGREE);
    c.mirrored(Answers.Comparison.AGREE);
    c.mirrored(Answers.Comparison.DISAGREE);
    c.mirrored(Answers.Comparison.INCOMPARABLE);
    RevisionCounters.Snapshot s = c.snapshot();
    assertThat(s.mirrored()).isEqualTo(5);
    assertThat(s.agreement()).isEqualTo(0.75);
  }

  @Test
  void labelsBeyondTheLimitAreCountedTogether() {
    RevisionCounters c = new RevisionCounters("v1");
    for (int i = 0; i < RevisionCounters.MAX_LABELS + 10; i++) {
      c.answered(200, MS, List.of("label-" + i));
    }
    var labels = c.snapshot().labels();
    assertThat(labels).hasSizeLessThanOrEqualTo(RevisionCounters.MAX_LABELS + 1);
    assertThat(labels.values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(RevisionCounters.MAX_LABELS + 10);
  }
}
