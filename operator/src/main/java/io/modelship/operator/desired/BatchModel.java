package io.modelship.operator.desired;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelship.operator.api.ModelSpec;

/**
 * How a batch pod gets its model: the fetch init container (and the volume it reads a ConfigMap or
 * PVC source from), and the card. The same fetch as a serving pod's, so every source and the sha256
 * check work alike.
 *
 * @param source the "source" volume, or null for https and s3 sources
 * @param from what the model is, for status messages ("spec.model" or "ModelDeployment x, revision
 *     y")
 */
public record BatchModel(Container fetch, Volume source, String cardYaml, String from) {

  /** A model of the batch job's own. */
  public static BatchModel of(ModelSpec model, String image) {
    ModelSource source = ModelSource.parse(model.uri);
    return new BatchModel(
        DesiredObjects.fetchContainer(image, source, model.sha256),
        DesiredObjects.sourceVolume(source),
        ModelCards.yaml(model),
        "spec.model (" + model.uri + ")");
  }

  /**
   * The model a ModelDeployment's revision serves, taken from that revision's Deployment and card:
   * what serves, even while the ModelDeployment's spec already asks for another model.
   *
   * @return null when the Deployment has no fetch container or the card no model.yaml (not one the
   *     operator wrote)
   */
  public static BatchModel serving(
      String mdName, String revision, Deployment deployment, ConfigMap card) {
    var pod = deployment.getSpec().getTemplate().getSpec();
    Container fetch =
        pod.getInitContainers() == null
            ? null
            : pod.getInitContainers().stream()
                .filter(c -> "fetch".equals(c.getName()))
                .findFirst()
                .orElse(null);
    String yaml = card.getData() == null ? null : card.getData().get(DesiredObjects.CARD_KEY);
    if (fetch == null || yaml == null) {
      return null;
    }
    Volume source =
        pod.getVolumes() == null
            ? null
            : pod.getVolumes().stream()
                .filter(v -> "source".equals(v.getName()))
                .findFirst()
                .orElse(null);
    return new BatchModel(
        fetch, source, yaml, "ModelDeployment " + mdName + ", revision " + revision);
  }
}
