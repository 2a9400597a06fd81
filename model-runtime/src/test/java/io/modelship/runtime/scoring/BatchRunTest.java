package io.modelship.runtime.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole command in-process on the Iris example model, with real files. */
class BatchRunTest {
  static final String MODEL = "../examples/models/iris.onnx";
  static final String HEADER = "id,sepal_length,sepal_width,petal_length,petal_width";
  static final JsonMapper JSON = new JsonMapper();

  @TempDir Path dir;

  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  final List<String> cannotServe = new ArrayList<>();
  Path terminationLog;

  @org.junit.jupiter.api.BeforeEach
  void terminationLog() throws Exception {
    terminationLog = Files.createTempFile("termination", ".log");
  }

  @org.junit.jupiter.api.AfterEach
  void removeTerminationLog() throws Exception {
    Files.deleteIfExists(terminationLog);
  }

  int run(String... args) {
    return BatchRun.run(
        args,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        failure -> {
          cannotServe.add(failure);
          return BatchCommand.EXIT_MODEL;
        },
        () -> 0,
        terminationLog);
  }

  String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  Path write(String name, String... lines) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, String.join("\n", lines) + "\n");
    return p;
  }

  @Test
  void csvPredictsGoodRowsInInputOrderAndRejectsBadOnes() throws Exception {
    Path in =
        write(
            "in.csv",
            HEADER,
            "1,5.1,3.5,1.4,0.2",
            "2,99,3.5,1.4,0.2",
            "",
            "3,7.0,3.2,4.7,1.4",
            "4,6.3,3.3,6.0,2.5",
            "5,6.3,x,6.0,2.5",
            "6,5.0,3.6,1.4,0.2",
            "7,6.4,3.2,4.5,1.5");
    Path out = dir.resolve("out/preds.csv");
    int code =
        run(
            "--model",
            MODEL,
            "--in",
            in.toString(),
            "--out",
            out.toString(),
            "--batch-size",
            "2",
            "--progress",
            "lines",
            "--summary",
            dir.resolve("summary.json").toString());
    assertThat(code).as(stderr()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.get(0))
        .isEqualTo(
            HEADER
                + ",label,probabilities.setosa,probabilities.versicolor,probabilities.virginica");
    assertThat(lines.subList(1, lines.size()))
        .extracting(l -> l.substring(0, l.indexOf(',')) + ":" + l.split(",")[5])
        .containsExactly("1:setosa", "3:versicolor", "4:virginica", "6:setosa", "7:versicolor");
    List<String> rejects = Files.readAllLines(dir.resolve("out/preds.rejects.jsonl"));
    assertThat(rejects).hasSize(2);
    JsonNode first = JSON.readTree(rejects.get(0));
    assertThat(first.get("file").asText()).isEqualTo(in.toString());
    assertThat(first.get("line").asInt()).isEqualTo(3);
    assertThat(first.get("reason").asText()).isEqualTo("sepal_length: must be at most 10 (got 99)");
    assertThat(first.get("row").asText()).isEqualTo("2,99,3.5,1.4,0.2");
    assertThat(JSON.readTree(rejects.get(1)).get("line").asInt()).isEqualTo(7);
    JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
    assertThat(summary.get("rowsRead").asInt()).isEqualTo(7);
    assertThat(summary.get("rowsPredicted").asInt()).isEqualTo(5);
    assertThat(summary.get("rowsRejected").asInt()).isEqualTo(2);
    assertThat(summary.get("files").asInt()).isEqualTo(1);
    assertThat(summary.get("outputs").get(0).asText()).isEqualTo(out.toString());
    assertThat(stderr())
        .contains("progress rows=7 rejected=2 percent=100")
        .contains("7 rows read from 1 file")
        .contains("5 predicted, 2 rejected");
    try (Stream<Path> left = Files.list(dir.resolve("out"))) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("preds.csv", "preds.rejects.jsonl");
    }
  }

  @Test
  void jsonLinesKeepTheirKeysAndGetTheReadableAnswer() throws Exception {
    Path in =
        write(
            "in.jsonl",
            "{\"id\":\"a\",\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,"
                + "\"petal_width\":0.2}",
            "not json",
            "{\"id\":\"b\",\"sepal_length\":6.3,\"sepal_width\":3.3,\"petal_length\":6.0,"
                + "\"petal_width\":2.5}");
    Path out = dir.resolve("p.jsonl");
    assertThat(run("--model", MODEL, "--in", in.toString(), "--out", out.toString()))
        .as(stderr())
        .isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(2);
    JsonNode a = JSON.readTree(lines.get(0));
    assertThat(a.get("id").asText()).isEqualTo("a");
    assertThat(a.get("sepal_length").asDouble()).isEqualTo(5.1);
    assertThat(a.get("label").asText()).isEqualTo("setosa");
    assertThat(a.get("probabilities").get("setosa").asDouble()).isGreaterThan(0.9);
    assertThat(JSON.readTree(lines.get(1)).get("label").asText()).isEqualTo("virginica");
    JsonNode rejected = JSON.readTree(Files.readString(dir.resolve("p.rejects.jsonl")));
    assertThat(rejected.get("line").asInt()).isEqualTo(2);
    assertThat(rejected.get("reason").asText()).startsWith("malformed JSON at line 1, column");
  }

  @Test
  void aDirectoryIsScoredInPlaceAndAgainWithoutReadingItsOwnOutputs() throws Exception {
    write("a.csv", HEADER, "1,5.1,3.5,1.4,0.2");
    write(
        "b.jsonl",
        "{\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,\"petal_width\":0.2}");
    write("notes.txt", "ignored");
    for (int round = 0; round < 2; round++) {
      err.reset();
      assertThat(run("--model", MODEL, "--in", dir.toString(), "--out", dir.toString()))
          .as(stderr())
          .isZero();
      assertThat(stderr()).contains("2 rows read from 2 files");
    }
    assertThat(Files.readAllLines(dir.resolve("a.predictions.csv"))).hasSize(2);
    assertThat(Files.readAllLines(dir.resolve("b.predictions.jsonl"))).hasSize(1);
    assertThat(Files.readString(dir.resolve("a.rejects.jsonl"))).isEmpty();
  }

  @Test
  void tooManyRejectedRowsExitWith5AndStillWriteTheResults() throws Exception {
    Path in = write("in.csv", HEADER, "1,5.1,3.5,1.4,0.2", "2,99,3.5,1.4,0.2");
    Path out = dir.resolve("o.csv");
    int code =
        run(
            "--model",
            MODEL,
            "--in",
            in.toString(),
            "--out",
            out.toString(),
            "--max-rejected-fraction",
            "0.4");
    assertThat(code).isEqualTo(BatchCommand.EXIT_TOO_MANY_REJECTED);
    assertThat(stderr())
        .contains("1 of 2 rows rejected (50.00%), more than --max-rejected-fraction 0.4 allows");
    assertThat(Files.readAllLines(out)).hasSize(2);
    assertThat(
            run(
                "--model",
                MODEL,
                "--in",
                in.toString(),
                "--out",
                out.toString(),
                "--max-rejected-fraction",
                "0.5"))
        .isZero();
  }

  @Test
  void aModelThatCannotBeServedExitsWith3AndSaysWhy() throws Exception {
    Path in = write("in.csv", HEADER, "1,5.1,3.5,1.4,0.2");
    int code =
        run(
            "--model",
            dir.resolve("missing.onnx").toString(),
            "--in",
            in.toString(),
            "--out",
            dir.resolve("o.csv").toString());
    assertThat(code).isEqualTo(BatchCommand.EXIT_MODEL);
    assertThat(cannotServe)
        .singleElement()
        .asString()
        .endsWith("missing.onnx: model file not found");
    assertThat(stderr()).contains("cannot serve the model: ").contains("missing.onnx");
    assertThat(dir.resolve("o.csv")).doesNotExist();
  }

  @Test
  void inputAndOutputErrorsExitWith4NamingTheFile() throws Exception {
    assertThat(
            run(
                "--model",
                MODEL,
                "--in",
                dir.resolve("none.csv").toString(),
                "--out",
                dir.resolve("o.csv").toString()))
        .isEqualTo(BatchCommand.EXIT_IO);
    assertThat(stderr()).contains("none.csv: no such file or directory");
    assertThat(Files.readString(terminationLog))
        .startsWith("modelship batch: ")
        .contains("none.csv: no such file or directory");
    err.reset();
    Path in = write("in.csv", HEADER, "1,5.1,3.5,1.4,0.2");
    assertThat(
            run(
                "--model",
                MODEL,
                "--in",
                in.toString(),
                "--out",
                in.resolve("under-a-file.csv").toString()))
        .isEqualTo(BatchCommand.EXIT_IO);
    assertThat(stderr()).contains("cannot write ").contains("in.csv");
  }

  @Test
  void aHeaderNamingAFeatureTwiceIsAnInputError() throws Exception {
    Path in = write("in.csv", "sepal_length,sepal_length", "1,2");
    Path out = dir.resolve("o.csv");
    assertThat(run("--model", MODEL, "--in", in.toString(), "--out", out.toString()))
        .isEqualTo(BatchCommand.EXIT_IO);
    assertThat(stderr()).contains(in + ": the header names feature sepal_length twice");
    assertThat(out).doesNotExist();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("in.csv");
    }
  }

  @Test
  void invalidUtf8AndOverlongLinesAreRejectedRows() throws Exception {
    Path in = dir.resolve("in.csv");
    byte[] bad = "1,5.1,3.5,1.4,\u00ff\n".getBytes(StandardCharsets.ISO_8859_1);
    String huge = "2," + "9".repeat(BatchRun.MAX_LINE_BYTES) + ",3.5,1.4,0.2\n";
    try (var o = Files.newOutputStream(in)) {
      o.write((HEADER + "\n").getBytes(StandardCharsets.UTF_8));
      o.write(bad);
      o.write(huge.getBytes(StandardCharsets.UTF_8));
      o.write("3,5.1,3.5,1.4,0.2\n".getBytes(StandardCharsets.UTF_8));
    }
    Path out = dir.resolve("o.csv");
    assertThat(run("--model", MODEL, "--in", in.toString(), "--out", out.toString())).isZero();
    List<String> rejects = Files.readAllLines(dir.resolve("o.rejects.jsonl"));
    assertThat(rejects).hasSize(2);
    assertThat(JSON.readTree(rejects.get(0)).get("reason").asText()).isEqualTo("not valid UTF-8");
    JsonNode tooLong = JSON.readTree(rejects.get(1));
    assertThat(tooLong.get("line").asInt()).isEqualTo(3);
    assertThat(tooLong.get("reason").asText()).isEqualTo("line is longer than 1048576 bytes");
    assertThat(tooLong.get("row").asText().length()).isLessThan(2000);
    assertThat(Files.readAllLines(out)).hasSize(2).last().asString().startsWith("3,");
  }

  @Test
  void whenTheModelFailsABatchOnlyTheRowsItCannotTakeAreRejected() throws Exception {
    // lookup.onnx's table has 3 slots; the card allows 0-9, so slot 5 passes validation and fails
    // the model call for its whole batch.
    Path in = write("in.csv", "id,slot", "a,0", "b,5", "c,2", "d,1");
    Path out = dir.resolve("o.csv");
    int code =
        run(
            "--model",
            "src/test/resources/models/lookup.onnx",
            "--in",
            in.toString(),
            "--out",
            out.toString(),
            "--batch-size",
            "3");
    assertThat(code).as(stderr()).isZero();
    assertThat(Files.readAllLines(out))
        .containsExactly("id,slot,prediction", "a,0,10.0", "c,2,30.0", "d,1,20.0");
    JsonNode rejected = JSON.readTree(Files.readString(dir.resolve("o.rejects.jsonl")));
    assertThat(rejected.get("line").asInt()).isEqualTo(3);
    assertThat(rejected.get("row").asText()).isEqualTo("b,5");
    assertThat(rejected.get("reason").asText())
        .startsWith("the model failed on this row: ")
        .contains("indices element out of data bounds");
    assertThat(stderr()).contains("3 predicted, 1 rejected");
  }

  @Test
  void usageErrorsExitWith2() throws Exception {
    Path txt = write("a.txt", HEADER);
    assertThat(run("--model", MODEL, "--in", txt.toString(), "--out", "b.txt"))
        .isEqualTo(BatchCommand.EXIT_USAGE);
    assertThat(stderr()).contains("cannot tell the format of " + txt + " from its extension");
    assertThat(run("--in", "a.csv")).isEqualTo(BatchCommand.EXIT_USAGE);
  }

  @Test
  void barModeRedrawsOneLine() throws Exception {
    Path in = write("in.csv", HEADER, "1,5.1,3.5,1.4,0.2");
    assertThat(
            run(
                "--model",
                MODEL,
                "--in",
                in.toString(),
                "--out",
                dir.resolve("o.csv").toString(),
                "--progress",
                "bar"))
        .isZero();
    assertThat(stderr()).contains("\r[").contains("100%").doesNotContain("progress rows=");
  }
}
