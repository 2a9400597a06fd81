package io.modelship.runtime.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {

  @Test
  void jsonHasTheAgreedFields() throws Exception {
    Summary s = new Summary(100, 90, 10, 1, 2.0, List.of("p.csv"), List.of("p.rejects.jsonl"));
    assertThat(s.json(Summary.MAX_JSON_BYTES))
        .isEqualTo(
            "{\"rowsRead\":100,\"rowsPredicted\":90,\"rowsRejected\":10,\"files\":1,"
                + "\"seconds\":2.0,\"rowsPerSecond\":50.0,\"outputs\":[\"p.csv\"],"
                + "\"rejects\":[\"p.rejects.jsonl\"]}");
    assertThat(s.rejectedFraction()).isEqualTo(0.1);
  }

  @Test
  void manyFilesAreCutToFitWithACount() throws Exception {
    List<String> outs = new ArrayList<>();
    List<String> rejs = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      outs.add("/data/out/part-" + i + ".predictions.csv");
      rejs.add("/data/out/part-" + i + ".rejects.jsonl");
    }
    String json = new Summary(1, 1, 0, 500, 1, outs, rejs).json(Summary.MAX_JSON_BYTES);
    assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(4000);
    JsonNode n = new JsonMapper().readTree(json);
    assertThat(n.get("files").asInt()).isEqualTo(500);
    assertThat(n.get("outputs").size() + n.get("moreOutputs").asInt()).isEqualTo(500);
    assertThat(n.get("rejects").size() + n.get("moreRejects").asInt()).isEqualTo(500);
    assertThat(n.get("outputs").get(0).asText()).isEqualTo("/data/out/part-0.predictions.csv");
  }

  @Test
  void humanSummaryCountsEverything() {
    String text =
        new Summary(1000, 990, 10, 2, 0.5, List.of("a", "b"), List.of("ra", "rb")).human();
    assertThat(text)
        .startsWith(
            "batch: 1,000 rows read from 2 files in 0.5 s (2,000 rows/s): 990 predicted,"
                + " 10 rejected (1.00%)")
        .contains("predictions: a")
        .contains("rejects:     rb");
  }
}
