package io.modelship.runtime.card;

import java.util.List;

/**
 * A model's declared contract: the same schema as a ModelDeployment's {@code spec.model} (without
 * the fields that say where the model comes from).
 *
 * @param name the model's name, used in URLs ({@code /models/iris/predict})
 * @param version shown in responses and metadata
 * @param format the model format; only {@code onnx} today
 * @param description free text for humans, or {@code null}
 * @param inputs declared features in the order the model takes them
 * @param labels class labels in the order of the model's probability columns; empty for regressors
 * @param derived true when no card file existed and this was derived from the model graph
 */
public record ModelCard(
    String name,
    String version,
    String format,
    String description,
    List<FeatureSpec> inputs,
    List<String> labels,
    boolean derived) {

  public ModelCard {
    inputs = List.copyOf(inputs);
    labels = List.copyOf(labels);
  }

  /** Whether any feature declares a transform, which changes what the model's inputs mean. */
  public boolean hasTransforms() {
    return inputs.stream().anyMatch(f -> f.transform() != null);
  }
}
