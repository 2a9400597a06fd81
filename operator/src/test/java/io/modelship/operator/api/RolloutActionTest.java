package io.modelship.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RolloutActionTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void promoteAbortAndRetrySetTheActionAnnotation() throws Exception {
    for (String name : new String[] {"promote", "abort", "retry"}) {
      JsonNode patch = json.readTree(RolloutAction.parse(name).orElseThrow().mergePatch());
      assertThat(patch.at("/metadata/annotations/modelship.io~1action").asText()).isEqualTo(name);
      assertThat(patch.has("spec")).isFalse();
      assertThat(patch.at("/metadata").size()).isEqualTo(1);
    }
  }

  @Test
  void pauseSetsSpecPausedAndResumeRemovesIt() throws Exception {
    JsonNode pause = json.readTree(RolloutAction.PAUSE.mergePatch());
    assertThat(pause.at("/spec/paused").asBoolean()).isTrue();
    assertThat(pause.has("metadata")).isFalse();
    JsonNode resume = json.readTree(RolloutAction.RESUME.mergePatch());
    // A merge patch's null deletes the field.
    assertThat(resume.at("/spec").has("paused")).isTrue();
    assertThat(resume.at("/spec/paused").isNull()).isTrue();
  }

  @Test
  void setWeightIsItsOwnAnnotation() throws Exception {
    JsonNode patch = json.readTree(RolloutAction.setWeightPatch(70));
    assertThat(patch.at("/metadata/annotations/modelship.io~1set-weight").asText()).isEqualTo("70");
  }

  @Test
  void unknownOrDifferentlySpelledActionsAreRefused() {
    assertThat(RolloutAction.parse("delete")).isEmpty();
    assertThat(RolloutAction.parse("PROMOTE")).isEmpty();
    assertThat(RolloutAction.parse("")).isEmpty();
    assertThat(RolloutAction.parse(null)).isEmpty();
    assertThat(RolloutAction.parse("resume")).hasValue(RolloutAction.RESUME);
  }
}
