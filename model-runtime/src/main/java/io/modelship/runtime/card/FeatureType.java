package io.modelship.runtime.card;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The value type of one declared input feature, in JSON terms. */
public enum FeatureType {
  /** Any finite JSON number, served to the model as a 32-bit float. */
  FLOAT,
  /** Any finite JSON number, served as a 64-bit float. */
  DOUBLE,
  /** A JSON number without a fractional part. */
  INTEGER,
  /** {@code true} or {@code false}. */
  BOOLEAN,
  /** A JSON string. */
  STRING;

  /** The spelling used in cards and error messages. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isNumeric() {
    return this == FLOAT || this == DOUBLE || this == INTEGER;
  }

  /** Parses the card spelling; {@code null} when unknown. */
  public static FeatureType parse(String text) {
    for (FeatureType t : values()) {
      if (t.yamlName().equals(text)) {
        return t;
      }
    }
    return null;
  }

  public static String allowed() {
    return Arrays.stream(values()).map(FeatureType::yamlName).collect(Collectors.joining(", "));
  }
}
