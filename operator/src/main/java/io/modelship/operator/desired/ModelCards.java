package io.modelship.operator.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.modelship.operator.api.InputSpec;
import io.modelship.operator.api.ModelSpec;

/**
 * Writes the runtime's model card from {@code spec.model}: the same schema, minus the source. Every
 * string is quoted, so a version such as "1.10" never turns into a number.
 */
public final class ModelCards {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

  private ModelCards() {}

  public static String yaml(ModelSpec model) {
    ObjectNode card = YAML.createObjectNode();
    card.put("name", model.name);
    if (model.version != null) {
      card.put("version", model.version);
    }
    card.put("format", "onnx");
    if (model.description != null) {
      card.put("description", model.description);
    }
    if (model.inputs != null && !model.inputs.isEmpty()) {
      ArrayNode inputs = card.putArray("inputs");
      for (InputSpec in : model.inputs) {
        ObjectNode f = inputs.addObject();
        f.put("name", in.name);
        if (in.type != null) {
          f.put("type", in.type.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (in.min != null) {
          f.put("min", in.min);
        }
        if (in.max != null) {
          f.put("max", in.max);
        }
        if (in.required != null) {
          f.put("required", in.required);
        }
        if (in.defaultValue != null) {
          f.set("default", in.defaultValue);
        }
        if (in.transform != null) {
          f.set("transform", YAML.valueToTree(in.transform));
        }
      }
    }
    if (model.outputs != null && model.outputs.labels != null) {
      ArrayNode labels = card.putObject("outputs").putArray("labels");
      model.outputs.labels.forEach(labels::add);
    }
    try {
      return YAML.writeValueAsString(card);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
