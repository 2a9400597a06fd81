package io.modelship.runtime.router;

import static io.modelship.runtime.router.Answers.Comparison.AGREE;
import static io.modelship.runtime.router.Answers.Comparison.DISAGREE;
import static io.modelship.runtime.router.Answers.Comparison.INCOMPARABLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswersTest {
  private static List<Object> d(String json) {
    return Answers.decisions(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsTheDecisionsOfEveryProtocol() {
    assertThat(d("{\"label\":\"setosa\",\"probabilities\":{\"setosa\":0.9},\"model\":\"iris\"}"))
        .containsExactly("setosa");
    assertThat(d("[{\"label\":\"a\"},{\"label\":\"b\"}]")).containsExactly("a", "b");
    assertThat(d("{\"prediction\":1.5,\"model\":\"m\"}")).containsExactly(1.5);
    assertThat(d("{\"predictions\":[\"a\",\"b\"]}")).containsExactly("a", "b");
    assertThat(d("{\"predictions\":[1,2.5]}")).containsExactly(1.0, 2.5);
    assertThat(
            d(
                "{\"model_name\":\"iris\",\"outputs\":[{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[0.1,0.2,0.7]},"
                    + "{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"virginica\"]}]}"))
        .containsExactly("virginica");
    assertThat(
            d(
                "{\"outputs\":[{\"name\":\"variable\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[3.5,4]}]}"))
        .containsExactly(3.5, 4.0);
  }

  @Test
  void errorsAndOtherBodiesHoldNoDecision() {
    assertThat(d("{\"error\":\"bad\",\"status\":422}")).isNull();
    assertThat(d("not json")).isNull();
    assertThat(d("")).isNull();
    assertThat(d("[{\"label\":\"a\"},{\"x\":1}]")).isNull();
    assertThat(d("{\"predictions\":[{\"a\":1}]}")).isNull();
  }

  @Test
  void comparesLabelsExactlyAndValuesWithinTheTolerance() {
    assertThat(Answers.compare(List.of("a", "b"), List.of("a", "b"), 0)).isEqualTo(AGREE);
    assertThat(Answers.compare(List.of("a", "b"), List.of("a", "c"), 0)).isEqualTo(DISAGREE);
    assertThat(Answers.compare(List.of(100.0), List.of(100.5), 0.01)).isEqualTo(AGREE);
    assertThat(Answers.compare(List.of(100.0), List.of(102.0), 0.01)).isEqualTo(DISAGREE);
    assertThat(Answers.compare(List.of(0.001), List.of(0.005), 0.01)).isEqualTo(AGREE);
    assertThat(Answers.compare(List.of(1.0), List.of(Double.NaN), 0.01)).isEqualTo(DISAGREE);
  }

  @Test
  void noVerdictWithoutTwoPredictionsOfTheSameShape() {
    assertThat(Answers.compare(null, List.of("a"), 0)).isEqualTo(INCOMPARABLE);
    assertThat(Answers.compare(List.of("a"), List.of("a", "b"), 0)).isEqualTo(INCOMPARABLE);
    assertThat(Answers.compare(List.of("a"), List.of(1.0), 0)).isEqualTo(INCOMPARABLE);
  }
}
