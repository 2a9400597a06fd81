package io.modelship.operator.api;

import java.time.Duration;
import java.util.regex.Matcher;

/** Durations in the Go / Kubernetes form: 500ms, 30s, 5m, 1h30m. */
public final class Durations {
  public static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

  private static final java.util.regex.Pattern PART =
      java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private Durations() {}

  /**
   * Parses a duration of {@link #PATTERN}; {@code null} gives {@code fallback}.
   *
   * @throws IllegalArgumentException when the text does not match the pattern
   */
  public static Duration parse(String text, Duration fallback) {
    if (text == null) {
      return fallback;
    }
    if (!text.matches(PATTERN)) {
      throw new IllegalArgumentException(
          "not a duration: " + text + " (use e.g. 500ms, 30s, 5m, 1h30m)");
    }
    Matcher m = PART.matcher(text);
    double millis = 0;
    while (m.find()) {
      double v = Double.parseDouble(m.group(1));
      millis +=
          switch (m.group(2)) {
            case "ms" -> v;
            case "s" -> v * 1_000;
            case "m" -> v * 60_000;
            default -> v * 3_600_000;
          };
    }
    return Duration.ofMillis(Math.round(millis));
  }
}
