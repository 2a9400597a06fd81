package io.modelship.runtime.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelship.runtime.api.RequestReader;
import io.modelship.runtime.card.FeatureType;
import io.modelship.runtime.model.FeatureBatch;
import io.modelship.runtime.model.ServedModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CSV and JSON-lines rows against the Iris card (four floats, each 0-10, all required). */
class RowsTest {
  static ServedModel iris;
  static RequestReader reader;

  @BeforeAll
  static void load() {
    iris = ServedModel.load(Path.of("../examples/models/iris.onnx"), null, null);
    reader = new RequestReader(iris.signature(), BatchRun.MAX_LINE_BYTES);
  }

  @AfterAll
  static void close() {
    iris.close();
  }

  private static CsvRows csv(String header) throws Exception {
    CsvRows rows = new CsvRows(reader, iris.card().inputs());
    assertThat(rows.header(header)).isNull();
    return rows;
  }

  private static String reason(RowResult r) {
    assertThat(r).isInstanceOf(RowResult.Rejected.class);
    return ((RowResult.Rejected) r).reason();
  }

  @Test
  void csvColumnsInAnyOrderWithExtraColumnsCarried() throws Exception {
    CsvRows rows = csv("id,petal_width,sepal_length,petal_length,sepal_width,note");
    RowResult r = rows.row("7,0.2,5.1,1.4,3.5,\"a, b\"");
    assertThat(r).isInstanceOf(RowResult.Accepted.class);
    RowResult.Accepted a = (RowResult.Accepted) r;
    assertThat(a.carry()).isEqualTo("7,0.2,5.1,1.4,3.5,\"a, b\"");
    FeatureBatch f = a.features();
    // columns in the card's order: sepal_length, sepal_width, petal_length, petal_width
    assertThat(((double[]) f.columns()[0])[0]).isEqualTo(5.1);
    assertThat(((double[]) f.columns()[1])[0]).isEqualTo(3.5);
    assertThat(((double[]) f.columns()[3])[0]).isEqualTo(0.2);
    assertThat(rows.missingRequired()).isEmpty();
  }

  @Test
  void csvRowsAreRefusedWithTheHttpApisReasons() throws Exception {
    CsvRows rows = csv("sepal_length,sepal_width,petal_length,petal_width");
    assertThat(reason(rows.row("99,3.5,1.4,0.2")))
        .isEqualTo("sepal_length: must be at most 10 (got 99)");
    assertThat(reason(rows.row("5.1,abc,1.4,0.2")))
        .isEqualTo("sepal_width: must be a number (got string \"abc\")");
    assertThat(reason(rows.row("5.1,3.5,,0.2")))
        .isEqualTo("petal_length: required float feature is missing");
    assertThat(reason(rows.row("NaN,3.5,1.4,0.2")))
        .isEqualTo("sepal_length: must be a finite number (got NaN)");
    assertThat(reason(rows.row("-1,3.5,1.4,99")))
        .isEqualTo("sepal_length: must be at least 0 (got -1) (and 1 more problem)");
    assertThat(reason(rows.row("5.1,3.5,1.4"))).isEqualTo("has 3 values; the header has 4 columns");
    assertThat(reason(rows.row("5.1,\"3.5,1.4,0.2")))
        .startsWith("unterminated quoted field starting at column 5");
  }

  @Test
  void aHeaderWithoutARequiredFeatureIsReported() throws Exception {
    CsvRows rows = csv("\uFEFFsepal_length,sepal_width,petal_length");
    assertThat(rows.columns()).containsExactly("sepal_length", "sepal_width", "petal_length");
    assertThat(rows.missingRequired()).containsExactly("petal_width");
    assertThat(reason(rows.row("5.1,3.5,1.4")))
        .isEqualTo("petal_width: required float feature is missing");
  }

  @Test
  void aHeaderNamingAFeatureTwiceIsRefused() throws Exception {
    CsvRows rows = new CsvRows(reader, iris.card().inputs());
    assertThat(rows.header("sepal_length,sepal_length,petal_length,petal_width"))
        .isEqualTo("the header names feature sepal_length twice");
  }

  @Test
  void cellsBecomeTheJsonValuesTheyStandFor() {
    assertThat(CsvRows.value(FeatureType.FLOAT, "")).isNull();
    assertThat(CsvRows.value(FeatureType.FLOAT, " 2.5 ").doubleValue()).isEqualTo(2.5);
    assertThat(CsvRows.value(FeatureType.INTEGER, "42").isIntegralNumber()).isTrue();
    assertThat(CsvRows.value(FeatureType.INTEGER, "4.5").isIntegralNumber()).isFalse();
    assertThat(CsvRows.value(FeatureType.FLOAT, "1e3").doubleValue()).isEqualTo(1000);
    assertThat(CsvRows.value(FeatureType.FLOAT, "0x10").isTextual()).isTrue();
    assertThat(CsvRows.value(FeatureType.FLOAT, "1e").isTextual()).isTrue();
    assertThat(CsvRows.value(FeatureType.FLOAT, "12d").isTextual()).isTrue();
    assertThat(CsvRows.value(FeatureType.BOOLEAN, "TRUE").booleanValue()).isTrue();
    assertThat(CsvRows.value(FeatureType.BOOLEAN, "yes").isTextual()).isTrue();
    assertThat(CsvRows.value(FeatureType.STRING, " red ").textValue()).isEqualTo(" red ");
  }

  @Test
  void jsonLinesAreReadAsTheReadableRequestBodyWithOtherKeysCarried() {
    JsonlRows rows = new JsonlRows(reader, iris.card().inputs());
    RowResult r =
        rows.row(
            bytes(
                "{\"id\":\"x1\",\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,"
                    + "\"petal_width\":0.2}"));
    assertThat(r).isInstanceOf(RowResult.Accepted.class);
    ObjectNode carry = (ObjectNode) ((RowResult.Accepted) r).carry();
    assertThat(carry.get("id").asText()).isEqualTo("x1");
  }

  @Test
  void jsonLinesAreRefusedWithTheHttpApisReasons() {
    JsonlRows rows = new JsonlRows(reader, iris.card().inputs());
    assertThat(reason(rows.row(bytes("{\"sepal_length\":5.1,"))))
        .startsWith("malformed JSON at line 1, column 21: ");
    assertThat(reason(rows.row(bytes("[1,2,3,4]"))))
        .isEqualTo("must be a JSON object of features ({\"sepal_length\": ...}), got a list");
    assertThat(
            reason(
                rows.row(
                    bytes(
                        "{\"sepal_length\":\"5.1\",\"sepal_width\":3.5,\"petal_length\":1.4,"
                            + "\"petal_width\":0.2}"))))
        .isEqualTo("sepal_length: must be a number (got string \"5.1\")");
    assertThat(
            reason(
                rows.row(bytes("{\"sepal_length\":5.1,\"sepal_length\":5.2,\"sepal_width\":3.5}"))))
        .contains("Duplicate field 'sepal_length'");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
