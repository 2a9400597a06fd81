package io.modelship.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.desired.Labels;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a ModelDeployment start a reconcile: a new generation (the spec changed), a
 * change of the {@code modelship.io/action} annotation (promote, abort, retry) or of {@code
 * modelship.io/set-weight} (metadata, which leaves the generation alone), deletion, or finalizers;
 * not the operator's own status writes. Without the annotation case a promote would wait for the
 * next timed reconcile.
 */
public class SpecOrActionChanged implements OnUpdateFilter<ModelDeployment> {
  @Override
  public boolean accept(ModelDeployment updated, ModelDeployment old) {
    return !Objects.equals(generation(updated), generation(old))
        || !Objects.equals(action(updated), action(old))
        || !Objects.equals(
            annotation(updated, Labels.SET_WEIGHT), annotation(old, Labels.SET_WEIGHT))
        || updated.isMarkedForDeletion() != old.isMarkedForDeletion()
        || !Objects.equals(
            updated.getMetadata().getFinalizers(), old.getMetadata().getFinalizers());
  }

  private static Long generation(ModelDeployment md) {
    return md.getMetadata().getGeneration();
  }

  private static String action(ModelDeployment md) {
    return annotation(md, Labels.ACTION);
  }

  private static String annotation(ModelDeployment md, String key) {
    Map<String, String> a = md.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }
}
