package io.modelship.operator.api;

import java.time.Duration;
import java.util.regex.Matcher;

/** Durations in the Go / Kubernetes form: 500ms, 30s, 5m, 1h30m. */
public final class Durations {
  public static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

  /** Characters a duration may have; "1h30m15s500ms" has 13. */
  public static final int MAX_LENGTH = 32;

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
    // Part by part rather than with PATTERN itself: Java runs a repeated group recursively, once
    // per part, and a long enough text would overflow the stack (the API server's RE2 does not).
    Matcher m = PART.matcher(text);
    double millis = 0;
    int at = 0;
    while (at < text.length()) {
      m.region(at, text.length());
      if (!m.lookingAt()) {
        String shown = text.length() > 64 ? text.substring(0, 64) + "…" : text;
        throw new IllegalArgumentException(
            "not a duration: " + shown + " (use e.g. 500ms, 30s, 5m, 1h30m)");
      }
      double v = Double.parseDouble(m.group(1));
      millis +=
          switch (m.group(2)) {
            case "ms" -> v;
            case "s" -> v * 1_000;
            case "m" -> v * 60_000;
            default -> v * 3_600_000;
          };
      at = m.end();
    }
    if (at == 0) {
      throw new IllegalArgumentException("not a duration: an empty text (use e.g. 30s)");
    }
    return Duration.ofMillis(Math.round(millis));
  }
}
