package io.modelship.runtime.scoring;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The end of a run, for people (stderr) and programs ({@code --summary FILE}, one compact JSON
 * object; Kubernetes keeps only the first 4096 bytes of a termination log, so the file lists are
 * cut to fit, with a count of what was left out).
 */
record Summary(
    long rowsRead,
    long rowsPredicted,
    long rowsRejected,
    int files,
    double seconds,
    List<String> outputs,
    List<String> rejects) {

  /** Well under the 4096 bytes Kubernetes reads from a termination log. */
  static final int MAX_JSON_BYTES = 4000;

  private static final JsonFactory JSON = new JsonFactory();

  double rowsPerSecond() {
    return seconds > 0 ? rowsRead / seconds : 0;
  }

  double rejectedFraction() {
    return rowsRead == 0 ? 0 : (double) rowsRejected / rowsRead;
  }

  /** The JSON object, at most {@code maxBytes} of UTF-8 (file lists shortened as needed). */
  String json(int maxBytes) {
    int ko = Math.min(outputs.size(), maxBytes / 3);
    int kr = Math.min(rejects.size(), maxBytes / 3);
    while (true) {
      String s = json(ko, kr);
      if (s.getBytes(StandardCharsets.UTF_8).length <= maxBytes || (ko == 0 && kr == 0)) {
        return s;
      }
      if (ko >= kr) {
        ko--;
      } else {
        kr--;
      }
    }
  }

  private String json(int ko, int kr) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeNumberField("rowsRead", rowsRead);
      g.writeNumberField("rowsPredicted", rowsPredicted);
      g.writeNumberField("rowsRejected", rowsRejected);
      g.writeNumberField("files", files);
      g.writeNumberField("seconds", round(seconds, 3));
      g.writeNumberField("rowsPerSecond", round(rowsPerSecond(), 1));
      list(g, "outputs", "moreOutputs", outputs, ko);
      list(g, "rejects", "moreRejects", rejects, kr);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  private static void list(JsonGenerator g, String field, String more, List<String> all, int keep)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (int i = 0; i < keep; i++) {
      g.writeString(all.get(i));
    }
    g.writeEndArray();
    if (keep < all.size()) {
      g.writeNumberField(more, all.size() - keep);
    }
  }

  private static double round(double v, int places) {
    double f = Math.pow(10, places);
    return Math.round(v * f) / f;
  }

  /** The lines for stderr. */
  String human() {
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "batch: %,d rows read from %d file%s in %.1f s (%,.0f rows/s): %,d predicted,"
                    + " %,d rejected",
                rowsRead,
                files,
                files == 1 ? "" : "s",
                seconds,
                rowsPerSecond(),
                rowsPredicted,
                rowsRejected));
    if (rowsRejected > 0) {
      b.append(String.format(Locale.ROOT, " (%.2f%%)", 100 * rejectedFraction()));
    }
    int shown = 10;
    for (int i = 0; i < outputs.size() && i < shown; i++) {
      b.append("\n  predictions: ").append(outputs.get(i));
    }
    if (outputs.size() > shown) {
      b.append("\n  ... and ").append(outputs.size() - shown).append(" more prediction files");
    }
    if (rowsRejected > 0) {
      for (int i = 0; i < rejects.size() && i < shown; i++) {
        b.append("\n  rejects:     ").append(rejects.get(i));
      }
      if (rejects.size() > shown) {
        b.append("\n  ... and ").append(rejects.size() - shown).append(" more rejects files");
      }
    }
    return b.toString();
  }
}
