package io.modelship.runtime.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The decisions in a prediction response, whatever the protocol, and whether two responses agree. A
 * decision is a label (a string) or a value (a number), one per row:
 *
 * <ul>
 *   <li>readable JSON: {@code {"label": ...}} or {@code {"prediction": ...}}, or an array of them;
 *   <li>KServe v1: {@code {"predictions": [...]}};
 *   <li>Open Inference Protocol v2: the {@code data} of the first {@code BYTES} output (the labels)
 *       or, when there is none, of the first output.
 * </ul>
 *
 * Pure functions: the router calls them off the request path, on mirrored answers.
 */
public final class Answers {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How a mirrored answer compares with the stable one. */
  public enum Comparison {
    /** The same labels, and values within the tolerance. */
    AGREE,
    /** Both are predictions, and they differ. */
    DISAGREE,
    /** One of them is not a prediction (an error, another protocol): no verdict. */
    INCOMPARABLE
  }

  private Answers() {}

  /** The decisions of a response body, or {@code null} when it holds no prediction. */
  public static List<Object> decisions(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
    if (root == null) {
      return null;
    }
    List<Object> out = new ArrayList<>();
    if (root.isArray()) {
      for (JsonNode row : root) {
        if (!readableRow(row, out)) {
          return null;
        }
      }
      return out;
    }
    if (!root.isObject()) {
      return null;
    }
    if (root.has("predictions")) {
      return scalars(root.get("predictions"), out) ? out : null;
    }
    if (root.has("outputs")) {
      return v2(root.get("outputs"), out) ? out : null;
    }
    return readableRow(root, out) ? out : null;
  }

  private static boolean readableRow(JsonNode row, List<Object> out) {
    JsonNode label = row.get("label");
    if (label != null && label.isTextual()) {
      out.add(label.asText());
      return true;
    }
    JsonNode value = row.get("prediction");
    if (value != null && value.isNumber()) {
      out.add(value.asDouble());
      return true;
    }
    return false;
  }

  private static boolean v2(JsonNode outputs, List<Object> out) {
    if (!outputs.isArray() || outputs.isEmpty()) {
      return false;
    }
    JsonNode chosen = outputs.get(0);
    for (JsonNode o : outputs) {
      if ("BYTES".equals(o.path("datatype").asText())) {
        chosen = o;
        break;
      }
    }
    return scalars(chosen.get("data"), out);
  }

  private static boolean scalars(JsonNode array, List<Object> out) {
    if (array == null || !array.isArray()) {
      return false;
    }
    for (JsonNode n : array) {
      if (n.isTextual()) {
        out.add(n.asText());
      } else if (n.isNumber()) {
        out.add(n.asDouble());
      } else {
        return false;
      }
    }
    return true;
  }

  /**
   * Compares two responses' decisions: labels must be equal, values within {@code tolerance}
   * relative to the larger magnitude (absolute below 1).
   */
  public static Comparison compare(List<Object> stable, List<Object> candidate, double tolerance) {
    if (stable == null || candidate == null || stable.size() != candidate.size()) {
      return Comparison.INCOMPARABLE;
    }
    for (int i = 0; i < stable.size(); i++) {
      Object a = stable.get(i);
      Object b = candidate.get(i);
      if (a instanceof Double x && b instanceof Double y) {
        double scale = Math.max(1.0, Math.max(Math.abs(x), Math.abs(y)));
        if (!(Math.abs(x - y) <= tolerance * scale)) {
          return Comparison.DISAGREE;
        }
      } else if (a instanceof String && b instanceof String) {
        if (!a.equals(b)) {
          return Comparison.DISAGREE;
        }
      } else {
        return Comparison.INCOMPARABLE;
      }
    }
    return Comparison.AGREE;
  }
}
