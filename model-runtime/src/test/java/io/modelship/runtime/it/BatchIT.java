package io.modelship.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar quarkus-run.jar batch ...} as a user (or a Kubernetes Job) runs it: the example
 * files, a directory, exit codes, and a file far larger than the heap it is given.
 */
class BatchIT extends JarHarness {
  static final Path BATCH_EXAMPLES = EXAMPLES.resolve("../batch").normalize();
  static final String MODEL = EXAMPLES.resolve("iris.onnx").toString();
  static final JsonMapper JSON = new JsonMapper();

  @TempDir Path dir;

  record Result(int code, String stderr) {}

  Result batch(List<String> jvmOptions, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", JAR.toString(), "batch"));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(dir, "stderr", ".log");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(log.toFile())
            .start();
    started.add(p);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("batch still running after 120 s").isTrue();
    return new Result(p.exitValue(), Files.readString(log));
  }

  Result batch(String... args) throws Exception {
    return batch(List.of(), args);
  }

  @Test
  void theExampleCsvGivesPredictionsRejectsAndASummary() throws Exception {
    Path out = dir.resolve("iris.predictions.csv");
    Path summary = dir.resolve("summary.json");
    Result r =
        batch(
            "--model",
            MODEL,
            "--in",
            BATCH_EXAMPLES.resolve("iris.csv").toString(),
            "--out",
            out.toString(),
            "--summary",
            summary.toString(),
            "--progress",
            "lines");
    assertThat(r.code()).as(r.stderr()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.get(0))
        .isEqualTo(
            "id,sepal_length,sepal_width,petal_length,petal_width,species,label,"
                + "probabilities.setosa,probabilities.versicolor,probabilities.virginica");
    assertThat(lines).hasSize(8);
    // the species column is the truth; the model gets these right
    for (String line : lines.subList(1, lines.size())) {
      String[] c = line.split(",");
      assertThat(c[c.length - 4]).as(line).isIn("setosa", "versicolor", "virginica");
    }
    assertThat(lines.get(1)).startsWith("1,5.1,3.5,1.4,0.2,setosa,setosa,");
    assertThat(lines.get(6)).startsWith("6,5.8,2.7,5.1,1.9,\"virginica, probably\",virginica,");
    List<String> rejects = Files.readAllLines(dir.resolve("iris.predictions.rejects.jsonl"));
    assertThat(rejects)
        .extracting(l -> JSON.readTree(l).get("reason").asText())
        .containsExactly(
            "sepal_length: must be at most 10 (got 99)",
            "sepal_width: must be a number (got string \"abc\")",
            "has 5 values; the header has 6 columns",
            "petal_length: required float feature is missing");
    JsonNode s = JSON.readTree(summary.toFile());
    assertThat(s.get("rowsRead").asInt()).isEqualTo(11);
    assertThat(s.get("rowsPredicted").asInt()).isEqualTo(7);
    assertThat(s.get("rowsRejected").asInt()).isEqualTo(4);
    assertThat(r.stderr()).contains("progress rows=11 rejected=4 percent=100");
  }

  @Test
  void theExampleDirectoryIsScoredFileByFile() throws Exception {
    Path out = dir.resolve("out");
    Result r = batch("--model", MODEL, "--in", BATCH_EXAMPLES.toString(), "--out", out.toString());
    assertThat(r.code()).as(r.stderr()).isZero();
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "iris.predictions.csv", "iris.predictions.jsonl", "iris.rejects.jsonl");
    }
    List<String> jsonl = Files.readAllLines(out.resolve("iris.predictions.jsonl"));
    assertThat(jsonl).hasSize(5);
    assertThat(JSON.readTree(jsonl.get(0)).get("label").asText()).isEqualTo("setosa");
    assertThat(Files.readAllLines(out.resolve("iris.rejects.jsonl")))
        .extracting(l -> JSON.readTree(l).get("file").asText())
        .containsExactly(
            BATCH_EXAMPLES.resolve("iris.csv").toString(),
            BATCH_EXAMPLES.resolve("iris.csv").toString(),
            BATCH_EXAMPLES.resolve("iris.csv").toString(),
            BATCH_EXAMPLES.resolve("iris.csv").toString(),
            BATCH_EXAMPLES.resolve("iris.jsonl").toString(),
            BATCH_EXAMPLES.resolve("iris.jsonl").toString(),
            BATCH_EXAMPLES.resolve("iris.jsonl").toString());
    assertThat(r.stderr())
        .contains("19 rows read from 2 files")
        .contains("12 predicted, 7 rejected");
  }

  @Test
  void exitCodesSayWhatWentWrong() throws Exception {
    String csv = BATCH_EXAMPLES.resolve("iris.csv").toString();
    String out = dir.resolve("o.csv").toString();

    Result usage = batch("--model", MODEL, "--in", csv);
    assertThat(usage.code()).isEqualTo(2);
    assertThat(usage.stderr()).contains("modelship batch: --out is required");

    Result model =
        batch("--model", EXAMPLES.resolve("nope.onnx").toString(), "--in", csv, "--out", out);
    assertThat(model.code()).isEqualTo(3);
    assertThat(model.stderr())
        .contains("cannot serve the model: ")
        .contains("nope.onnx: model file not found");

    Result io =
        batch("--model", MODEL, "--in", dir.resolve("missing.csv").toString(), "--out", out);
    assertThat(io.code()).isEqualTo(4);
    assertThat(io.stderr()).contains("missing.csv: no such file or directory");

    Result rejected =
        batch("--model", MODEL, "--in", csv, "--out", out, "--max-rejected-fraction", "0.1");
    assertThat(rejected.code()).isEqualTo(5);
    assertThat(rejected.stderr()).contains("4 of 11 rows rejected");
  }

  @Test
  void aFileFarLargerThanTheHeapIsStreamed() throws Exception {
    // 600,000 rows (~11 MB) with a 12 MB heap: holding the rows, or the predictions, would not fit.
    Path in = dir.resolve("big.csv");
    Random random = new Random(42);
    int rows = 600_000;
    try (BufferedWriter w = Files.newBufferedWriter(in)) {
      w.write("id,sepal_length,sepal_width,petal_length,petal_width\n");
      for (int i = 0; i < rows; i++) {
        w.write(
            String.format(
                Locale.ROOT,
                "%d,%.1f,%.1f,%.1f,%.1f%n",
                i,
                4 + random.nextDouble() * 4,
                2 + random.nextDouble() * 2.5,
                1 + random.nextDouble() * 6,
                0.1 + random.nextDouble() * 2.4));
      }
      w.write("bad,row\n");
    }
    Path out = dir.resolve("big.predictions.csv");
    Result r =
        batch(
            List.of("-Xmx12m"),
            "--model",
            MODEL,
            "--in",
            in.toString(),
            "--out",
            out.toString(),
            "--progress",
            "none",
            "--summary",
            dir.resolve("s.json").toString());
    assertThat(r.code()).as(r.stderr()).isZero();
    JsonNode s = JSON.readTree(dir.resolve("s.json").toFile());
    assertThat(s.get("rowsPredicted").asInt()).isEqualTo(rows);
    assertThat(s.get("rowsRejected").asInt()).isEqualTo(1);
    long lines;
    try (Stream<String> l = Files.lines(out)) {
      lines = l.count();
    }
    assertThat(lines).isEqualTo(rows + 1);
    assertThat(Files.size(out)).isGreaterThan(Files.size(in));
  }
}
