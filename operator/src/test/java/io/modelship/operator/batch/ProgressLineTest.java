package io.modelship.operator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressLineTest {
  @Test
  void theLastProgressLineOfALogTailWins() {
    String tail =
        """
        modelship batch: scoring /data/in/iris.csv
        progress rows=256 rejected=3 percent=12
        a warning in between
        progress rows=1024 rejected=7 percent=48
        """;
    assertThat(ProgressLine.last(tail)).isEqualTo(new ProgressLine(1024, 7, 48));
  }

  @Test
  void aFractionalOrMissingPercentIsReadAndATimestampPrefixIsAllowed() {
    assertThat(ProgressLine.last("12:00:01 progress rows=5 rejected=0 percent=99.5"))
        .isEqualTo(new ProgressLine(5, 0, 99));
    assertThat(ProgressLine.last("progress rows=5 rejected=1"))
        .isEqualTo(new ProgressLine(5, 1, null));
  }

  @Test
  void aLogWithoutProgressGivesNothing() {
    assertThat(ProgressLine.last(null)).isNull();
    assertThat(ProgressLine.last("starting\nno progress yet rows=")).isNull();
    assertThat(ProgressLine.last("progress rows=abc rejected=1")).isNull();
  }
}
