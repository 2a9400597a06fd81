package io.modelship.runtime.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelship.runtime.api.RequestReader;
import io.modelship.runtime.card.FeatureSpec;
import io.modelship.runtime.card.FeatureType;
import io.modelship.runtime.model.ModelSignature;
import io.modelship.runtime.model.TensorSpec;
import java.util.List;

/**
 * The requests the runtime sends itself before it reports ready: one row built from the model's
 * declared features, in each of the three prediction APIs a client may use. A pure function of the
 * signature, so the bodies are tested without a server.
 */
public final class WarmupRequests {

  /** One prediction request: where it goes and what it carries. */
  public record Request(Endpoint endpoint, String path, byte[] body) {}

  private static final JsonMapper JSON = new JsonMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private WarmupRequests() {}

  /** The readable, KServe v1 and Open Inference Protocol v2 forms of the same row. */
  public static List<Request> of(ModelSignature signature) {
    String name = signature.card().name();
    List<FeatureSpec> features = signature.card().inputs();

    List<JsonNode> values = features.stream().map(f -> json(value(f))).toList();
    ObjectNode row = NODES.objectNode();
    for (int j = 0; j < features.size(); j++) {
      row.set(features.get(j).name(), values.get(j));
    }
    ObjectNode v1 = NODES.objectNode();
    v1.putArray("instances").add(row);

    ObjectNode v2 = NODES.objectNode();
    ArrayNode inputs = v2.putArray("inputs");
    if (signature.card().hasTransforms()) {
      // Raw features, one tensor each, as v2 takes them for a card with transforms.
      List<TensorSpec> tensors = RequestReader.featureTensors(features);
      for (int j = 0; j < features.size(); j++) {
        tensor(inputs, tensors.get(j), 1).add(values.get(j));
      }
    } else if (signature.layout() == ModelSignature.Layout.COLUMNS) {
      TensorSpec in = signature.inputs().get(0);
      tensor(inputs, in, features.size()).addAll(values);
    } else {
      for (int j = 0; j < features.size(); j++) {
        String feature = features.get(j).name();
        TensorSpec in =
            signature.inputs().stream().filter(t -> t.name().equals(feature)).findFirst().get();
        tensor(inputs, in, 1).add(values.get(j));
      }
    }
    return List.of(
        new Request(Endpoint.PREDICT, "/models/" + name + "/predict", bytes(row)),
        new Request(Endpoint.V1_PREDICT, "/v1/models/" + name + ":predict", bytes(v1)),
        new Request(Endpoint.V2_INFER, "/v2/models/" + name + "/infer", bytes(v2)));
  }

  /**
   * A value the card accepts for a feature: its declared default, else the middle of its bounds
   * (rounded down for integers), else the one bound it has, else zero; {@code false} for booleans
   * and the empty string for strings without a default.
   */
  static Object value(FeatureSpec f) {
    if (f.defaultValue() != null) {
      return f.defaultValue();
    }
    return switch (f.type()) {
      case BOOLEAN -> false;
      case STRING -> f.oneHot() != null ? f.oneHot().categories().get(0) : "";
      case FLOAT, DOUBLE, INTEGER -> {
        double v;
        if (f.min() != null && f.max() != null) {
          v = f.min() + (f.max() - f.min()) / 2;
        } else if (f.min() != null) {
          v = f.min();
        } else if (f.max() != null) {
          v = f.max();
        } else {
          v = 0;
        }
        if (f.type() == FeatureType.INTEGER) {
          // The floor of the midpoint stays within [ceil(min), max] for any bounds an integer fits.
          v = Math.floor(v);
          if (f.min() != null && v < f.min()) {
            v = Math.ceil(f.min());
          }
        }
        yield v;
      }
    };
  }

  /** Adds a one-row tensor of {@code columns} values (or one) and returns its data array. */
  private static ArrayNode tensor(ArrayNode inputs, TensorSpec in, int columns) {
    ObjectNode t = inputs.addObject();
    t.put("name", in.name());
    ArrayNode shape = t.putArray("shape");
    shape.add(1);
    if (in.rank() == 2) {
      shape.add(in.dim(1) > 0 ? in.dim(1) : columns);
    }
    t.put("datatype", in.datatype().name());
    return t.putArray("data");
  }

  private static JsonNode json(Object v) {
    if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (v instanceof String s) {
      return NODES.textNode(s);
    }
    double d = ((Number) v).doubleValue();
    // Whole numbers as integers, which integer tensors and features require.
    return d == Math.rint(d) && Math.abs(d) < 1e15
        ? NODES.numberNode((long) d)
        : NODES.numberNode(d);
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
