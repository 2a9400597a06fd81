package io.modelship.runtime.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelship.runtime.scoring.BatchCommand.Format;
import io.modelship.runtime.scoring.BatchPlan.Job;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchPlanTest {

  private static BatchCommand.Request request(String in, String out, String rejects, Format f) {
    return new BatchCommand.Request(
        Path.of("m.onnx"),
        null,
        Path.of(in),
        Path.of(out),
        rejects == null ? null : Path.of(rejects),
        f,
        256,
        null,
        BatchCommand.ProgressMode.NONE,
        1.0);
  }

  @Test
  void aFileGoesToOutWithRejectsBesideIt() throws Exception {
    assertThat(BatchPlan.forFile(request("data/in.csv", "out/preds.csv", null, null)))
        .containsExactly(
            new Job(
                Path.of("data/in.csv"),
                Format.CSV,
                Path.of("out/preds.csv"),
                Path.of("out/preds.rejects.jsonl")));
    assertThat(BatchPlan.forFile(request("in.ndjson", "p", "bad.jsonl", null)).get(0))
        .isEqualTo(new Job(Path.of("in.ndjson"), Format.JSONL, Path.of("p"), Path.of("bad.jsonl")));
  }

  @Test
  void formatFlagOverridesTheExtension() throws Exception {
    assertThat(BatchPlan.forFile(request("in.txt", "o.txt", null, Format.CSV)).get(0).format())
        .isEqualTo(Format.CSV);
  }

  @Test
  void refusesAnUnknownExtensionAndOverwritingTheInput() {
    assertThatThrownBy(() -> BatchPlan.forFile(request("in.txt", "o.csv", null, null)))
        .hasMessage(
            "cannot tell the format of in.txt from its extension (.csv, .jsonl or .ndjson);"
                + " give --format csv or jsonl");
    assertThatThrownBy(() -> BatchPlan.forFile(request("in.csv", "./in.csv", null, null)))
        .hasMessage("--out ./in.csv is the input file; give another path");
    assertThatThrownBy(() -> BatchPlan.forFile(request("in.csv", "o.csv", "in.csv", null)))
        .hasMessageContaining("would overwrite the input");
  }

  @Test
  void aDirectoryScoresItsCsvAndJsonlFilesSortedAndSkipsEarlierOutputs() throws Exception {
    List<Job> jobs =
        BatchPlan.forDirectory(
            request("d", "d", null, null),
            List.of(
                "b.jsonl",
                "a.csv",
                "a.predictions.csv",
                "a.rejects.jsonl",
                "notes.txt",
                ".a.predictions.csv.1.part",
                "c.ndjson"));
    assertThat(jobs)
        .containsExactly(
            new Job(
                Path.of("d/a.csv"),
                Format.CSV,
                Path.of("d/a.predictions.csv"),
                Path.of("d/a.rejects.jsonl")),
            new Job(
                Path.of("d/b.jsonl"),
                Format.JSONL,
                Path.of("d/b.predictions.jsonl"),
                Path.of("d/b.rejects.jsonl")),
            new Job(
                Path.of("d/c.ndjson"),
                Format.JSONL,
                Path.of("d/c.predictions.ndjson"),
                Path.of("d/c.rejects.jsonl")));
  }

  @Test
  void sameStemInputsShareTheRejectsFile() throws Exception {
    List<Job> jobs =
        BatchPlan.forDirectory(request("in", "out", null, null), List.of("x.jsonl", "x.csv"));
    assertThat(jobs)
        .extracting(Job::out)
        .containsExactly(Path.of("out/x.predictions.csv"), Path.of("out/x.predictions.jsonl"));
    assertThat(jobs).extracting(Job::rejects).containsOnly(Path.of("out/x.rejects.jsonl"));
  }

  @Test
  void aDirectoryTakesNoRejectsFlag() {
    assertThatThrownBy(
            () -> BatchPlan.forDirectory(request("d", "o", "r.jsonl", null), List.of("a.csv")))
        .hasMessageStartingWith("--rejects applies to a single input file");
  }
}
