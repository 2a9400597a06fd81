package io.modelship.operator.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * What a batch run's pod said when it ended: the JSON summary the batch command writes to its
 * termination message ({@code --summary /dev/termination-log}), or, when it is not one, the message
 * itself (the command's error, or the log's tail). Pure.
 */
public record RunSummary(
    Long rowsRead,
    Long rowsPredicted,
    Long rowsRejected,
    Long files,
    Double seconds,
    Double rowsPerSecond,
    List<String> outputs,
    List<String> rejects,
    String text) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The kubelet keeps at most 4096 bytes of a termination message; status keeps less. */
  static final int MAX_TEXT = 1024;

  public boolean isSummary() {
    return text == null;
  }

  /** Parses a termination message; null for an empty one. */
  public static RunSummary parse(String message) {
    if (message == null || message.isBlank()) {
      return null;
    }
    String m = message.strip();
    if (m.startsWith("{")) {
      try {
        JsonNode n = JSON.readTree(m);
        if (n != null && n.isObject() && n.has("rowsRead")) {
          return new RunSummary(
              longOf(n, "rowsRead"),
              longOf(n, "rowsPredicted"),
              longOf(n, "rowsRejected"),
              longOf(n, "files"),
              doubleOf(n, "seconds"),
              doubleOf(n, "rowsPerSecond"),
              strings(n.path("outputs")),
              strings(n.path("rejects")),
              null);
        }
      } catch (java.io.IOException e) {
        // not a summary (or one cut at the kubelet's 4096 bytes): kept as text below
      }
    }
    return text(m);
  }

  static RunSummary text(String m) {
    String t = m.length() > MAX_TEXT ? "…" + m.substring(m.length() - MAX_TEXT) : m;
    return new RunSummary(null, null, null, null, null, null, null, null, t);
  }

  private static Long longOf(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.canConvertToLong() ? v.asLong() : null;
  }

  private static Double doubleOf(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isNumber() ? v.asDouble() : null;
  }

  private static List<String> strings(JsonNode array) {
    if (!array.isArray()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  /** What an exit code of the batch command means, for a failed run's message. */
  public static String exitMeaning(int code) {
    return switch (code) {
      case 2 -> "bad arguments to the batch command";
      case 3 -> "the model or its card cannot be served";
      case 4 -> "an input or output file could not be read or written";
      case 5 -> "more rows were rejected than spec.maxRejectedFraction allows";
      case 137 -> "killed (out of memory, or stopped)";
      default -> "exit code " + code;
    };
  }
}
