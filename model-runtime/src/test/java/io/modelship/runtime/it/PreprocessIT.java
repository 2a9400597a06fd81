package io.modelship.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pre-processing with the packaged runtime, as a user runs it: the example card in millimetres
 * ({@code examples/models/iris-mm.yaml}) and the example transformer ({@code
 * examples/transformer/IrisTransformer.java}, started as its own process in front of a runtime that
 * serves the plain card) both give exactly the answers of the plain model fed centimetres; a card
 * whose transforms do not fit the model stops the runtime at start-up, naming file and feature.
 */
class PreprocessIT extends JarHarness {
  static final Path TRANSFORMER = Path.of("../examples/transformer/IrisTransformer.java");
  static final ObjectMapper JSON = new ObjectMapper();

  /** Rows in centimetres and the same rows in millimetres, with petal_width left to its default. */
  static final double[][] ROWS_CM = {
    {5.1, 3.5, 1.4, 0.2}, {6.0, 2.7, 5.1, 1.6}, {6.3, 3.3, 6.0, 2.5}, {5.8, 2.7, 4.1, 1.3}
  };

  static String cmRow(double[] r) {
    return String.format(
        java.util.Locale.ROOT,
        "{\"sepal_length\":%s,\"sepal_width\":%s,\"petal_length\":%s,\"petal_width\":%s}",
        r[0],
        r[1],
        r[2],
        r[3]);
  }

  static String mmRow(double[] r) {
    // Millimetres as a user would measure them: whole numbers where the data set has tenths.
    return String.format(
        java.util.Locale.ROOT,
        "{\"sepal_length_mm\":%d,\"sepal_width_mm\":%d,\"petal_length_mm\":%d,\"petal_width_mm\":%d}",
        Math.round(r[0] * 10),
        Math.round(r[1] * 10),
        Math.round(r[2] * 10),
        Math.round(r[3] * 10));
  }

  List<JsonNode> predictions(int port, String path, String body) throws Exception {
    HttpResponse<String> r = post(port, path, body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(r.body()).forEach(out::add);
    return out;
  }

  static String array(List<String> rows) {
    return "[" + String.join(",", rows) + "]";
  }

  Process transformer(int port, int runtimePort, Path log) throws IOException {
    ProcessBuilder b =
        new ProcessBuilder("java", TRANSFORMER.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    b.environment()
        .putAll(
            Map.of(
                "MODELSHIP_PREDICTOR_URL",
                "http://127.0.0.1:" + runtimePort,
                "MODELSHIP_TRANSFORMER_PORT",
                Integer.toString(port),
                "MODELSHIP_TRANSFORMER_HOST",
                "127.0.0.1"));
    Process p = b.start();
    started.add(p);
    return p;
  }

  /** Waits until {@code path} answers 200; up to 120 s, for a loaded machine. */
  void awaitUp(int port, String path, Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      assertThat(p.isAlive()).as("exited:\n%s", Files.readString(log)).isTrue();
      try {
        if (get(port, path).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      assertThat(System.nanoTime())
          .as("up within 120 s:\n%s", Files.readString(log))
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void cardTransformsAndTheExampleTransformerAnswerAsTheModelFedCentimetres(@TempDir Path tmp)
      throws Exception {
    int plain = freePort();
    int mm = freePort();
    int front = freePort();
    // All three start at once; a busy machine may take a while to bring up three JVMs.
    Process plainRuntime = start(tmp.resolve("plain.log"), irisArgs(plain));
    Process mmRuntime =
        start(
            tmp.resolve("mm.log"),
            irisArgs(mm, "--card", EXAMPLES.resolve("iris-mm.yaml").toString()));
    Process tr = transformer(front, plain, tmp.resolve("transformer.log"));
    awaitUp(plain, "/v2/health/ready", plainRuntime, tmp.resolve("plain.log"));
    awaitUp(mm, "/v2/health/ready", mmRuntime, tmp.resolve("mm.log"));

    List<String> cm = new ArrayList<>();
    List<String> millimetres = new ArrayList<>();
    for (double[] r : ROWS_CM) {
      cm.add(cmRow(r));
      millimetres.add(mmRow(r));
    }
    List<JsonNode> expected = predictions(plain, "/models/iris/predict", array(cm));

    // The card's transforms, in the runtime itself.
    assertThat(predictions(mm, "/models/iris/predict", array(millimetres)))
        .extracting(n -> n.get("probabilities"))
        .isEqualTo(expected.stream().map(n -> n.get("probabilities")).toList());
    // petal_width_mm left out: its default, 13 mm, is 1.3 cm.
    assertThat(
            predictions(
                    mm,
                    "/models/iris/predict",
                    "[{\"sepal_length_mm\":58,\"sepal_width_mm\":27,\"petal_length_mm\":41}]")
                .get(0)
                .get("probabilities"))
        .isEqualTo(expected.get(3).get("probabilities"));
    // Validation is on the raw millimetres: 120 mm is over the card's 100 mm.
    HttpResponse<String> bad =
        post(mm, "/models/iris/predict", mmRow(ROWS_CM[0]).replace("51", "120"));
    assertThat(bad.statusCode()).isEqualTo(422);
    assertThat(bad.body()).contains("sepal_length_mm").contains("must be at most 100 (got 120)");

    // The example transformer in front of the plain runtime, as in a pod.
    awaitUp(front, "/healthz", tr, tmp.resolve("transformer.log"));
    assertThat(predictions(front, "/models/iris/predict", array(millimetres)))
        .extracting(n -> n.get("probabilities"))
        .isEqualTo(expected.stream().map(n -> n.get("probabilities")).toList());
    // KServe v1 through the transformer, inches in one row; other paths pass through.
    HttpResponse<String> v1 =
        post(
            front,
            "/v1/models/iris:predict",
            "{\"instances\":[{\"sepal_length_in\":2.0,\"sepal_width_in\":1.5,"
                + "\"petal_length\":1.4,\"petal_width\":0.2}, [6.0, 2.7, 5.1, 1.6]]}");
    assertThat(v1.statusCode()).as(v1.body()).isEqualTo(200);
    assertThat(JSON.readTree(v1.body()).get("predictions").toString())
        .isEqualTo("[\"setosa\",\"virginica\"]");
    assertThat(get(front, "/v2/health/ready").statusCode()).isEqualTo(200);
    assertThat(get(front, "/v2/models/iris").body()).contains("\"sepal_length\"");
    // The runtime's refusals reach the client unchanged.
    HttpResponse<String> refused = post(front, "/models/iris/predict", "{\"sepal_length_mm\":51}");
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body()).contains("sepal_width").contains("missing");
    HttpResponse<String> garbage = post(front, "/models/iris/predict", "{\"sepal_length_mm\":");
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(plainRuntime.isAlive()).isTrue();
  }

  @Test
  void aCardWhoseTransformsDoNotFitTheModelStopsTheRuntimeNamingFileAndFeature(@TempDir Path tmp)
      throws Exception {
    Path card = tmp.resolve("iris-colour.yaml");
    Files.writeString(
        card,
        "name: iris\ninputs:\n"
            + "  - {name: sepal_length}\n  - {name: sepal_width}\n  - {name: petal_length}\n"
            + "  - {name: colour, type: string, transform: {oneHot: {categories: [a, b]}}}\n");
    Path log = tmp.resolve("runtime.log");
    Process p = start(log, irisArgs(freePort(), "--card", card.toString()));
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("runtime exits").isTrue();
    assertThat(p.exitValue()).isNotZero();
    assertThat(Files.readString(log))
        .contains(card + ": card and model do not match")
        .contains(
            "the card declares 4 features that one-hot encoding expands into 5 columns (colour: 2)"
                + " but model input 'float_input' takes 4 columns");
  }
}
