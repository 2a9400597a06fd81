package io.modelship.runtime.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.runtime.scoring.BatchCommand.Format;
import io.modelship.runtime.scoring.BatchCommand.ProgressMode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BatchCommandTest {

  @Test
  void parsesEveryOption() {
    BatchCommand.Parsed p =
        BatchCommand.parse(
            "--model",
            "m.onnx",
            "--card=m2.yaml",
            "--in",
            "data",
            "--out",
            "preds",
            "--rejects",
            "bad.jsonl",
            "--format",
            "jsonl",
            "--batch-size",
            "1024",
            "--summary",
            "/dev/termination-log",
            "--progress",
            "lines",
            "--max-rejected-fraction",
            "0.05");
    assertThat(p.error()).isNull();
    assertThat(p.request())
        .isEqualTo(
            new BatchCommand.Request(
                Path.of("m.onnx"),
                Path.of("m2.yaml"),
                Path.of("data"),
                Path.of("preds"),
                Path.of("bad.jsonl"),
                Format.JSONL,
                1024,
                Path.of("/dev/termination-log"),
                ProgressMode.LINES,
                0.05));
  }

  @Test
  void hasDefaults() {
    BatchCommand.Request r =
        BatchCommand.parse("--model", "m.onnx", "--in", "a.csv", "--out", "b.csv").request();
    assertThat(r.card()).isNull();
    assertThat(r.rejects()).isNull();
    assertThat(r.format()).isNull();
    assertThat(r.batchSize()).isEqualTo(256);
    assertThat(r.summary()).isNull();
    assertThat(r.progress()).isEqualTo(ProgressMode.AUTO);
    assertThat(r.maxRejectedFraction()).isEqualTo(1.0);
  }

  @Test
  void helpWinsOverEverythingElse() {
    assertThat(BatchCommand.parse("--bogus", "--help").help()).isTrue();
    assertThat(BatchCommand.usage()).contains("--max-rejected-fraction").contains("Exit codes");
    assertThat(io.modelship.runtime.cli.CommandLine.usage()).contains("batch --help");
  }

  @Test
  void refusesUnusableArgumentsWithTheFlagNamed() {
    assertThat(error("--in", "a.csv", "--out", "b.csv")).isEqualTo("--model is required");
    assertThat(error("--model", "m.onnx", "--out", "b.csv")).isEqualTo("--in is required");
    assertThat(error("--model", "m.onnx", "--in", "a.csv")).isEqualTo("--out is required");
    assertThat(error(ok("--bogus", "1"))).isEqualTo("unknown option --bogus");
    assertThat(error(ok("--batch-size", "0")))
        .isEqualTo("--batch-size: must be a number of rows 1-4096 (got 0)");
    assertThat(error(ok("--batch-size", "lots"))).contains("(got lots)");
    assertThat(error(ok("--format", "parquet")))
        .isEqualTo("--format: must be csv or jsonl (got parquet)");
    assertThat(error(ok("--progress", "fancy")))
        .isEqualTo("--progress: must be auto, bar, lines or none (got fancy)");
    assertThat(error(ok("--max-rejected-fraction", "1.5")))
        .isEqualTo("--max-rejected-fraction: must be a number from 0 to 1 (got 1.5)");
    assertThat(error(ok("--max-rejected-fraction", "-0.1"))).contains("from 0 to 1");
    assertThat(error(ok("--summary"))).isEqualTo("--summary needs a value (FILE)");
    assertThat(error(ok("--summary", "--progress", "none")))
        .isEqualTo("--summary needs a value (FILE)");
    assertThat(error(ok("--model", "other.onnx"))).isEqualTo("--model given more than once");
    assertThat(error(ok("--card="))).isEqualTo("--card: must not be empty");
  }

  private static String[] ok(String... extra) {
    String[] base = {"--model", "m.onnx", "--in", "a.csv", "--out", "b.csv"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  private static String error(String... args) {
    BatchCommand.Parsed p = BatchCommand.parse(args);
    assertThat(p.request()).isNull();
    return p.error();
  }
}
