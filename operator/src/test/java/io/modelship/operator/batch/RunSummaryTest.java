package io.modelship.operator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunSummaryTest {
  @Test
  void theSummaryJsonIsRead() {
    RunSummary s =
        RunSummary.parse(
            "{\"rowsRead\":10,\"rowsPredicted\":7,\"rowsRejected\":3,\"files\":1,\"seconds\":0.5,"
                + "\"rowsPerSecond\":20.0,\"outputs\":[\"/data/out/iris/iris.predictions.csv\"],"
                + "\"rejects\":[\"/data/out/iris/iris.rejects.jsonl\"]}\n");
    assertThat(s.isSummary()).isTrue();
    assertThat(s.rowsRead()).isEqualTo(10);
    assertThat(s.rowsPredicted()).isEqualTo(7);
    assertThat(s.rowsRejected()).isEqualTo(3);
    assertThat(s.rowsPerSecond()).isEqualTo(20.0);
    assertThat(s.outputs()).containsExactly("/data/out/iris/iris.predictions.csv");
    assertThat(s.rejects()).containsExactly("/data/out/iris/iris.rejects.jsonl");
  }

  @Test
  void anErrorOrACutSummaryIsKeptAsText() {
    assertThat(RunSummary.parse("cannot serve the model: input x missing").text())
        .isEqualTo("cannot serve the model: input x missing");
    assertThat(RunSummary.parse("{\"rowsRead\":10,\"outp").text()).startsWith("{\"rowsRead\"");
    assertThat(RunSummary.parse("  ")).isNull();
    String big = "x".repeat(5000);
    assertThat(RunSummary.parse(big).text()).hasSize(RunSummary.MAX_TEXT + 1).startsWith("…");
  }
}
