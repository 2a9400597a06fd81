package io.modelship.runtime.queue;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelship.runtime.api.RequestReader;
import io.modelship.runtime.api.ResponseWriter;
import io.modelship.runtime.model.FeatureBatch;
import io.modelship.runtime.model.Prediction;
import io.modelship.runtime.model.ServedModel;
import io.modelship.runtime.model.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The poll-to-writes decisions on the real Iris model, with a model that fails on demand. */
class QueueProcessorTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SETOSA =
      "{\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,\"petal_width\":0.2}";
  static final String VIRGINICA =
      "{\"sepal_length\":6.0,\"sepal_width\":2.7,\"petal_length\":5.1,\"petal_width\":1.6}";

  static ServedModel iris;
  static RequestReader reader;
  static ResponseWriter writer;

  /** Model calls seen, and which of them fail. */
  final List<Integer> calls = new ArrayList<>();

  Predicate<FeatureBatch> failsOn = b -> false;
  final List<Duration> slept = new ArrayList<>();

  @BeforeAll
  static void load() {
    iris = ServedModel.load(Path.of("../examples/models/iris.onnx"), null, "rev1");
    reader = new RequestReader(iris.signature(), 1 << 20);
    writer = new ResponseWriter(iris);
  }

  @AfterAll
  static void close() {
    iris.close();
  }

  QueueProcessor processor(int retries) {
    QueueProcessor.Model model =
        new QueueProcessor.Model() {
          @Override
          public Prediction predict(FeatureBatch rows) throws OrtException {
            calls.add(rows.rows());
            if (failsOn.test(rows)) {
              throw new IllegalStateException("injected failure on " + rows.rows() + " rows");
            }
            return iris.predict(rows);
          }

          @Override
          public Map<String, Tensor> infer(List<Tensor> inputs, Set<String> outputs)
              throws OrtException {
            return iris.infer(inputs, outputs);
          }
        };
    return new QueueProcessor(
        reader,
        writer,
        model,
        "iris",
        "rev1",
        1 << 20,
        retries,
        Duration.ofMillis(100),
        slept::add);
  }

  static Message msg(long offset, String value, String... headers) {
    List<Header> h = new ArrayList<>();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(new RecordHeader(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8)));
    }
    return new Message(
        "requests",
        0,
        offset,
        ("k" + offset).getBytes(StandardCharsets.UTF_8),
        value == null ? null : value.getBytes(StandardCharsets.UTF_8),
        h);
  }

  static String header(Outgoing o, String name) {
    String v = null;
    for (Header h : o.headers()) {
      if (h.key().equals(name)) {
        v = new String(h.value(), StandardCharsets.UTF_8);
      }
    }
    return v;
  }

  static JsonNode body(Outgoing o) throws Exception {
    return JSON.readTree(o.value());
  }

  @Test
  void validRequestsArePredictedInOneModelCallAndAnsweredInOrderWithTheirHeaders()
      throws Exception {
    QueueProcessor.Result r =
        processor(2)
            .process(
                List.of(
                    msg(10, SETOSA, "correlation-id", "a"),
                    msg(11, "[" + SETOSA + "," + VIRGINICA + "]", "correlation-id", "b"),
                    msg(12, VIRGINICA, "correlation-id", "c")));

    assertThat(calls).containsExactly(4); // one call for the poll's four rows
    assertThat(r.out()).hasSize(3).noneMatch(Outgoing::deadLetter);
    assertThat(r.out()).extracting(o -> header(o, "correlation-id")).containsExactly("a", "b", "c");
    assertThat(r.out().get(0).source().key()).isEqualTo("k10".getBytes(StandardCharsets.UTF_8));
    assertThat(body(r.out().get(0)).get("label").asText()).isEqualTo("setosa");
    assertThat(body(r.out().get(0)).get("version").asText()).isEqualTo("1");
    assertThat(body(r.out().get(1)).isArray()).isTrue();
    assertThat(body(r.out().get(1)).get(1).get("label").asText()).isEqualTo("virginica");
    assertThat(body(r.out().get(2)).get("label").asText()).isEqualTo("virginica");
    assertThat(header(r.out().get(0), QueueHeaders.REVISION)).isEqualTo("rev1");
    assertThat(r.invalid()).isZero();
    assertThat(r.rows()).isEqualTo(4);
  }

  @Test
  void theV1AndV2FormsAnswerAsTheirHttpEndpointsDo() throws Exception {
    String v2 =
        "{\"id\":\"x\",\"inputs\":[{\"name\":\"float_input\",\"shape\":[1,4],\"datatype\":\"FP32\","
            + "\"data\":[5.1,3.5,1.4,0.2]}]}";
    QueueProcessor.Result r =
        processor(0)
            .process(
                List.of(
                    msg(1, "{\"instances\":[[5.1,3.5,1.4,0.2]]}", QueueHeaders.API, "v1"),
                    msg(2, v2, QueueHeaders.API, "v2")));
    assertThat(r.out()).noneMatch(Outgoing::deadLetter);
    assertThat(body(r.out().get(0)).get("predictions").get(0).asText()).isEqualTo("setosa");
    assertThat(body(r.out().get(1)).get("id").asText()).isEqualTo("x");
    assertThat(body(r.out().get(1)).get("outputs").isArray()).isTrue();
  }

  @Test
  void invalidRequestsAreDeadLetteredWithTheHttpErrorAndTheirSourceWhileTheRestIsAnswered()
      throws Exception {
    QueueProcessor.Result r =
        processor(2)
            .process(
                List.of(
                    msg(20, "{not json", "correlation-id", "bad-json"),
                    msg(21, SETOSA, "correlation-id", "good"),
                    msg(
                        22,
                        "{\"sepal_length\":51,\"sepal_width\":3.5,\"petal_length\":1.4}",
                        "correlation-id",
                        "bad-values"),
                    msg(23, null),
                    msg(24, SETOSA, QueueHeaders.API, "v3")));

    assertThat(r.out())
        .extracting(Outgoing::deadLetter)
        .containsExactly(true, false, true, true, true);
    assertThat(r.invalid()).isEqualTo(4);
    Outgoing badJson = r.out().get(0);
    assertThat(header(badJson, QueueHeaders.ERROR_STATUS)).isEqualTo("400");
    assertThat(header(badJson, QueueHeaders.ERROR)).startsWith("malformed JSON at line 1");
    assertThat(header(badJson, "correlation-id")).isEqualTo("bad-json");
    assertThat(header(badJson, QueueHeaders.SOURCE_TOPIC)).isEqualTo("requests");
    assertThat(header(badJson, QueueHeaders.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(header(badJson, QueueHeaders.SOURCE_OFFSET)).isEqualTo("20");
    assertThat(new String(badJson.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");

    Outgoing badValues = r.out().get(2);
    assertThat(header(badValues, QueueHeaders.ERROR_STATUS)).isEqualTo("422");
    assertThat(header(badValues, QueueHeaders.ERROR))
        .isEqualTo("sepal_length: must be at most 10 (got 51) (and 1 more problem)");
    JsonNode errorBody = JSON.readTree(header(badValues, QueueHeaders.ERROR_BODY));
    assertThat(errorBody.get("violations")).hasSize(2);
    assertThat(header(r.out().get(3), QueueHeaders.ERROR))
        .isEqualTo("request body is empty: send a JSON document");
    assertThat(header(r.out().get(4), QueueHeaders.ERROR))
        .isEqualTo("modelship-api: must be predict, v1 or v2 (got v3)");
    assertThat(calls).containsExactly(1); // the model saw only the valid request
  }

  @Test
  void aBatchThatKeepsFailingIsRetriedWithBackoffThenEachRequestAloneSoOnlyThePoisonIsDeadLettered()
      throws Exception {
    // The model fails on any batch containing a row with sepal_length 7.7, and nothing else.
    failsOn =
        b -> {
          double[] first = (double[]) b.columns()[0];
          for (double v : first) {
            if (v == 7.7) {
              return true;
            }
          }
          return false;
        };
    String poison = SETOSA.replace("5.1", "7.7");
    QueueProcessor.Result r =
        processor(2).process(List.of(msg(1, SETOSA), msg(2, poison), msg(3, VIRGINICA)));

    assertThat(calls).containsExactly(3, 3, 3, 1, 1, 1); // 1 try + 2 retries, then one by one
    assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(r.out()).extracting(Outgoing::deadLetter).containsExactly(false, true, false);
    assertThat(header(r.out().get(1), QueueHeaders.ERROR_STATUS)).isEqualTo("500");
    assertThat(header(r.out().get(1), QueueHeaders.ERROR))
        .isEqualTo(
            "the model failed on this request: IllegalStateException: injected failure on 1 rows");
    assertThat(r.modelFailed()).isEqualTo(1);
    assertThat(r.retries()).isEqualTo(2);
  }

  @Test
  void aTransientModelFailureCostsNoRequest() throws Exception {
    int[] left = {1};
    failsOn = b -> left[0]-- > 0;
    QueueProcessor.Result r = processor(2).process(List.of(msg(1, SETOSA), msg(2, VIRGINICA)));
    assertThat(calls).containsExactly(2, 2);
    assertThat(r.out()).noneMatch(Outgoing::deadLetter);
    assertThat(r.retries()).isEqualTo(1);
  }

  @Test
  void pollsLargerThanABatchAreSplitIntoModelCallsOfAtMostTheLargestBatch() {
    List<QueueRequest.Valid> requests = new ArrayList<>();
    for (int rows : new int[] {3000, 1000, 200, 5000, 10}) {
      requests.add(
          new QueueRequest.Valid(
              msg(rows, "{}"), null, null, new FeatureBatch(rows, new Object[0]), null));
    }
    assertThat(QueueProcessor.chunks(requests, 4096))
        .extracting(c -> c.stream().mapToInt(v -> v.rows().rows()).boxed().toList())
        .containsExactly(List.of(3000, 1000), List.of(200), List.of(5000), List.of(10));
  }
}
