package io.modelship.operator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ActionTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void promoteAbortAndRetrySetTheActionAnnotation() throws Exception {
    for (String name : new String[] {"promote", "abort", "retry"}) {
      JsonNode patch = json.readTree(Action.parse(name).orElseThrow().mergePatch());
      assertThat(patch.at("/metadata/annotations/modelship.io~1action").asText()).isEqualTo(name);
      assertThat(patch.has("spec")).isFalse();
      assertThat(patch.at("/metadata").size()).isEqualTo(1);
    }
  }

  @Test
  void pauseSetsSpecPausedAndResumeRemovesIt() throws Exception {
    JsonNode pause = json.readTree(Action.PAUSE.mergePatch());
    assertThat(pause.at("/spec/paused").asBoolean()).isTrue();
    assertThat(pause.has("metadata")).isFalse();
    JsonNode resume = json.readTree(Action.RESUME.mergePatch());
    // A merge patch's null deletes the field.
    assertThat(resume.at("/spec").has("paused")).isTrue();
    assertThat(resume.at("/spec/paused").isNull()).isTrue();
  }

  @Test
  void unknownOrDifferentlySpelledActionsAreRefused() {
    assertThat(Action.parse("delete")).isEmpty();
    assertThat(Action.parse("PROMOTE")).isEmpty();
    assertThat(Action.parse("")).isEmpty();
    assertThat(Action.parse(null)).isEmpty();
    assertThat(Action.parse("resume")).hasValue(Action.RESUME);
  }
}
