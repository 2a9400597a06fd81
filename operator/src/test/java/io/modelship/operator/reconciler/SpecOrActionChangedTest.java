package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.Phase;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpecOrActionChangedTest {
  static ModelDeployment md(long generation, Map<String, String> annotations, Phase phase) {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(
        new ObjectMetaBuilder()
            .withName("iris")
            .withGeneration(generation)
            .withAnnotations(annotations)
            .build());
    md.setStatus(new ModelDeploymentStatus());
    md.getStatus().phase = phase;
    return md;
  }

  @Test
  void aPromoteAnnotationWakesTheReconcilerAndAStatusWriteDoesNot() {
    SpecOrActionChanged f = new SpecOrActionChanged();
    ModelDeployment before = md(2, Map.of(), Phase.Progressing);
    assertThat(f.accept(md(2, Map.of("modelship.io/action", "promote"), Phase.Progressing), before))
        .isTrue();
    assertThat(f.accept(md(3, Map.of(), Phase.Progressing), before)).isTrue();
    // The operator's own status write, or another annotation: no new reconcile.
    assertThat(f.accept(md(2, Map.of(), Phase.Healthy), before)).isFalse();
    assertThat(f.accept(md(2, Map.of("team", "ml"), Phase.Progressing), before)).isFalse();
    // The operator removing the handled action is a change too (harmless: one more no-op).
    assertThat(f.accept(before, md(2, Map.of("modelship.io/action", "promote"), Phase.Progressing)))
        .isTrue();
  }
}
