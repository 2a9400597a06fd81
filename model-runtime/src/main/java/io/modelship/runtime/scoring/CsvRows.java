package io.modelship.runtime.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelship.runtime.api.ApiException;
import io.modelship.runtime.api.RequestReader;
import io.modelship.runtime.card.FeatureSpec;
import io.modelship.runtime.card.FeatureType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CSV rows to validated features. The header names the columns in any order; a feature's cell is
 * turned into the JSON value it stands for and checked by the same {@link RequestReader} as an HTTP
 * request, so a row is refused with the same reason. Other columns are carried through.
 */
final class CsvRows {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final RequestReader reader;
  private final Map<String, FeatureSpec> features = new HashMap<>();
  private List<String> columns;
  private FeatureSpec[] columnFeature;

  CsvRows(RequestReader reader, List<FeatureSpec> features) {
    this.reader = reader;
    features.forEach(f -> this.features.put(f.name(), f));
  }

  /** Reads the header line; returns what is wrong with it, or {@code null}. */
  String header(String line) throws Csv.SyntaxException {
    if (!line.isEmpty() && line.charAt(0) == '\uFEFF') {
      line = line.substring(1);
    }
    List<String> names = Csv.split(line);
    columnFeature = new FeatureSpec[names.size()];
    Set<String> seen = new HashSet<>();
    List<String> stripped = new ArrayList<>(names.size());
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i).strip();
      stripped.add(name);
      if (!seen.add(name) && features.containsKey(name)) {
        return "the header names feature " + name + " twice";
      }
      columnFeature[i] = features.get(name);
    }
    columns = List.copyOf(stripped);
    return null;
  }

  boolean hasHeader() {
    return columns != null;
  }

  /** The header's column names. */
  List<String> columns() {
    return columns;
  }

  /** Required features the header has no column for: every row will be refused. */
  List<String> missingRequired() {
    List<String> missing = new ArrayList<>();
    for (FeatureSpec f : features.values()) {
      if (f.required() && !columns.contains(f.name())) {
        missing.add(f.name());
      }
    }
    missing.sort(null);
    return missing;
  }

  /** One data line. */
  RowResult row(String line) {
    List<String> cells;
    try {
      cells = Csv.split(line);
    } catch (Csv.SyntaxException e) {
      return new RowResult.Rejected(e.getMessage());
    }
    if (cells.size() != columns.size()) {
      return new RowResult.Rejected(
          "has " + cells.size() + " values; the header has " + columns.size() + " columns");
    }
    ObjectNode row = NODES.objectNode();
    for (int i = 0; i < cells.size(); i++) {
      FeatureSpec f = columnFeature[i];
      if (f != null) {
        JsonNode value = value(f.type(), cells.get(i));
        if (value != null) {
          row.set(f.name(), value);
        }
      }
    }
    try {
      return new RowResult.Accepted(reader.readable(row), line);
    } catch (ApiException e) {
      return new RowResult.Rejected(e.getMessage());
    }
  }

  /**
   * The JSON value a cell stands for, or {@code null} for an empty cell (a missing feature). Text
   * that is not the feature's type stays a string, so the reader refuses it the way it refuses a
   * string sent for a number over HTTP.
   */
  static JsonNode value(FeatureType type, String cell) {
    if (cell.isEmpty()) {
      return null;
    }
    if (type == FeatureType.STRING) {
      return NODES.textNode(cell);
    }
    String t = cell.strip();
    if (t.isEmpty()) {
      return null;
    }
    if (type == FeatureType.BOOLEAN) {
      if (t.equalsIgnoreCase("true")) {
        return NODES.booleanNode(true);
      }
      if (t.equalsIgnoreCase("false")) {
        return NODES.booleanNode(false);
      }
      return NODES.textNode(cell);
    }
    JsonNode n = number(t);
    return n != null ? n : NODES.textNode(cell);
  }

  /** A decimal number (or NaN/Infinity, which the reader then refuses by name), else null. */
  static JsonNode number(String t) {
    // Only the special values end in a letter; the common case skips the lower-casing.
    boolean word = Character.isLetter(t.charAt(t.length() - 1));
    switch (word ? t.toLowerCase(java.util.Locale.ROOT) : "") {
      case "nan", "+nan", "-nan" -> {
        return NODES.numberNode(Double.NaN);
      }
      case "inf", "+inf", "infinity", "+infinity" -> {
        return NODES.numberNode(Double.POSITIVE_INFINITY);
      }
      case "-inf", "-infinity" -> {
        return NODES.numberNode(Double.NEGATIVE_INFINITY);
      }
      default -> {}
    }
    int i = 0;
    int n = t.length();
    if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    while (i < n && Character.isDigit(t.charAt(i)) && t.charAt(i) < 128) {
      i++;
      digits++;
    }
    boolean integral = true;
    if (i < n && t.charAt(i) == '.') {
      integral = false;
      i++;
      while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return null;
    }
    if (i < n && (t.charAt(i) == 'e' || t.charAt(i) == 'E')) {
      integral = false;
      i++;
      if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
        i++;
      }
      int exp = 0;
      while (i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
        i++;
        exp++;
      }
      if (exp == 0) {
        return null;
      }
    }
    if (i != n) {
      return null;
    }
    if (integral && digits <= 18) {
      return NODES.numberNode(Long.parseLong(t));
    }
    return NODES.numberNode(Double.parseDouble(t));
  }
}
