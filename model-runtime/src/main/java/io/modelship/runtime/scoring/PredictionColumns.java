package io.modelship.runtime.scoring;

import com.fasterxml.jackson.core.JsonGenerator;
import io.modelship.runtime.model.ModelSignature;
import io.modelship.runtime.model.Prediction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What an output row adds to its input row: what the readable HTTP answer holds for it. A
 * classifier gives {@code label} and, when the model has probabilities, one {@code
 * probabilities.<class>} column per class (in JSON, a {@code probabilities} object); a regressor
 * gives {@code prediction}. A name the input already uses gets a {@code predicted_} prefix.
 */
final class PredictionColumns {

  static final String PREFIX = "predicted_";

  private final boolean regressor;
  private final List<String> classes;

  PredictionColumns(boolean regressor, List<String> classes) {
    this.regressor = regressor;
    this.classes = List.copyOf(classes);
  }

  static PredictionColumns of(ModelSignature signature) {
    if (signature.kind() == ModelSignature.Kind.REGRESSOR) {
      return new PredictionColumns(true, List.of());
    }
    if (signature.probabilityOutput() == null) {
      return new PredictionColumns(false, List.of());
    }
    List<String> names = new ArrayList<>(signature.classNames());
    long width =
        signature.probabilityOutput().rank() == 2 ? signature.probabilityOutput().dim(1) : -1;
    for (int k = names.size(); k < width; k++) {
      names.add(Integer.toString(k));
    }
    return new PredictionColumns(false, names);
  }

  /** The CSV columns added, renamed away from {@code taken} (the input's columns). */
  List<String> csvNames(Collection<String> taken) {
    List<String> names = new ArrayList<>();
    if (regressor) {
      names.add(free("prediction", taken));
      return names;
    }
    names.add(free("label", taken));
    for (String c : classes) {
      names.add(free("probabilities." + c, taken));
    }
    return names;
  }

  /** Appends row {@code r}'s cells, each preceded by a comma. */
  void csvCells(Prediction p, int r, StringBuilder out) {
    if (regressor) {
      out.append(',').append(p.values()[r]);
      return;
    }
    out.append(',').append(Csv.quote(p.labels()[r]));
    if (classes.isEmpty()) {
      return;
    }
    float[] proba = p.probabilities();
    int c = proba == null ? 0 : proba.length / p.rows();
    for (int k = 0; k < classes.size(); k++) {
      out.append(',');
      if (k < c) {
        out.append(proba[r * c + k]);
      }
    }
  }

  /** Writes row {@code r}'s fields into an open JSON object whose own keys are {@code taken}. */
  void jsonFields(Prediction p, int r, JsonGenerator g, Collection<String> taken)
      throws IOException {
    if (regressor) {
      g.writeNumberField(free("prediction", taken), p.values()[r]);
      return;
    }
    g.writeStringField(free("label", taken), p.labels()[r]);
    float[] proba = p.probabilities();
    if (proba != null) {
      int c = proba.length / p.rows();
      g.writeObjectFieldStart(free("probabilities", taken));
      for (int k = 0; k < c; k++) {
        g.writeNumberField(
            k < classes.size() ? classes.get(k) : Integer.toString(k), proba[r * c + k]);
      }
      g.writeEndObject();
    }
  }

  static String free(String name, Collection<String> taken) {
    String n = name;
    while (taken.contains(n)) {
      n = PREFIX + n;
    }
    return n;
  }
}
