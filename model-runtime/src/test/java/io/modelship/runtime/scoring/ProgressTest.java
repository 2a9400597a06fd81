package io.modelship.runtime.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void logLineHasTheFormatTheControllerParses() {
    Progress.Snapshot s = new Progress.Snapshot(1234, 5, 250, 1000, 2_000_000_000L);
    assertThat(Progress.line(s)).isEqualTo("progress rows=1234 rejected=5 percent=25");
  }

  @Test
  void percentFollowsBytesAndStaysWithin0And100() {
    assertThat(new Progress.Snapshot(0, 0, 0, 1000, 1).percent()).isZero();
    assertThat(new Progress.Snapshot(0, 0, 999, 1000, 1).percent()).isEqualTo(99);
    assertThat(new Progress.Snapshot(0, 0, 2000, 1000, 1).percent()).isEqualTo(100);
    assertThat(new Progress.Snapshot(0, 0, 0, 0, 1).percent()).isEqualTo(100);
  }

  @Test
  void barShowsRowsPercentRateAndEta() {
    // a quarter of the bytes in 10 s: 30 s left
    Progress.Snapshot s = new Progress.Snapshot(500_000, 12, 250, 1000, 10_000_000_000L);
    String bar = Progress.bar(s, 79);
    assertThat(bar)
        .startsWith("[")
        .contains(" 25% ")
        .contains("500,000 rows")
        .contains("(12 rejected)")
        .contains("50k rows/s")
        .endsWith("ETA 0:30");
    assertThat(bar.length()).isLessThanOrEqualTo(79);
    assertThat(bar).doesNotContain("\n").doesNotContain("\r");
  }

  @Test
  void etaIsUnknownBeforeAnyByteIsRead() {
    assertThat(Progress.bar(new Progress.Snapshot(0, 0, 0, 1000, 5), 79)).endsWith("ETA --:--");
    assertThat(Progress.clock(3725)).isEqualTo("1:02:05");
  }
}
