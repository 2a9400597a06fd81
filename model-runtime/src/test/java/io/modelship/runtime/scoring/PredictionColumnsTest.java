package io.modelship.runtime.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.modelship.runtime.model.Prediction;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PredictionColumnsTest {
  static final PredictionColumns CLASSIFIER =
      new PredictionColumns(false, List.of("setosa", "versicolor", "virginica"));
  static final Prediction TWO_ROWS =
      new Prediction(
          2,
          new String[] {"setosa", "virginica"},
          new float[] {0.9f, 0.1f, 0f, 0f, 0.25f, 0.75f},
          null);

  @Test
  void classifierColumnsAreLabelAndOneProbabilityPerClass() {
    assertThat(CLASSIFIER.csvNames(List.of("id", "species")))
        .containsExactly(
            "label", "probabilities.setosa", "probabilities.versicolor", "probabilities.virginica");
    StringBuilder b = new StringBuilder("7");
    CLASSIFIER.csvCells(TWO_ROWS, 1, b);
    assertThat(b.toString()).isEqualTo("7,virginica,0.0,0.25,0.75");
  }

  @Test
  void aColumnTheInputAlreadyHasIsPrefixed() {
    assertThat(CLASSIFIER.csvNames(List.of("label", "predicted_label")).get(0))
        .isEqualTo("predicted_predicted_label");
    assertThat(new PredictionColumns(true, List.of()).csvNames(List.of("prediction")))
        .containsExactly("predicted_prediction");
  }

  @Test
  void regressorGivesThePrediction() {
    PredictionColumns reg = new PredictionColumns(true, List.of());
    StringBuilder b = new StringBuilder("3");
    reg.csvCells(new Prediction(1, null, null, new double[] {75.5}), 0, b);
    assertThat(b.toString()).isEqualTo("3,75.5");
  }

  @Test
  void labelsWithCommasAreQuoted() {
    StringBuilder b = new StringBuilder();
    new PredictionColumns(false, List.of())
        .csvCells(new Prediction(1, new String[] {"a,b"}, null, null), 0, b);
    assertThat(b.toString()).isEqualTo(",\"a,b\"");
  }

  @Test
  void jsonFieldsAreTheReadableAnswersFields() throws Exception {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("label", "truth");
      CLASSIFIER.jsonFields(TWO_ROWS, 0, g, Set.of("label"));
      g.writeEndObject();
    }
    assertThat(w.toString())
        .isEqualTo(
            "{\"label\":\"truth\",\"predicted_label\":\"setosa\",\"probabilities\":"
                + "{\"setosa\":0.9,\"versicolor\":0.1,\"virginica\":0.0}}");
  }
}
