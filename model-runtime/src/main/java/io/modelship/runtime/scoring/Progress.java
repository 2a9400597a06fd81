package io.modelship.runtime.scoring;

import java.util.Locale;

/**
 * How far a run is, as text: a one-line bar for a terminal and a fixed-format line for logs (the
 * ModelBatchJob controller reads {@code progress rows=N rejected=M percent=P} from pod logs). Pure
 * functions of a {@link Snapshot}.
 */
final class Progress {

  /** Counts at one moment; {@code rows} are the rows read, predicted or rejected. */
  record Snapshot(long rows, long rejected, long bytesRead, long totalBytes, long elapsedNanos) {

    /** Percent of the input bytes read, 0-100. */
    int percent() {
      if (totalBytes <= 0) {
        return 100;
      }
      return (int) Math.min(100, bytesRead * 100 / totalBytes);
    }

    double rowsPerSecond() {
      return elapsedNanos <= 0 ? 0 : rows * 1e9 / elapsedNanos;
    }

    /** Seconds left at the byte rate so far, or -1 when unknown. */
    long etaSeconds() {
      if (bytesRead <= 0 || elapsedNanos <= 0 || totalBytes <= 0) {
        return -1;
      }
      double left = (double) (totalBytes - Math.min(bytesRead, totalBytes)) / bytesRead;
      return Math.round(left * elapsedNanos / 1e9);
    }
  }

  private Progress() {}

  /** The log line. */
  static String line(Snapshot s) {
    return "progress rows=" + s.rows() + " rejected=" + s.rejected() + " percent=" + s.percent();
  }

  /** The bar, at most {@code width} characters, without the leading carriage return. */
  static String bar(Snapshot s, int width) {
    String tail =
        String.format(
            Locale.ROOT,
            " %3d%% %,d rows%s %s rows/s ETA %s",
            s.percent(),
            s.rows(),
            s.rejected() > 0 ? String.format(Locale.ROOT, " (%,d rejected)", s.rejected()) : "",
            rate(s.rowsPerSecond()),
            clock(s.etaSeconds()));
    int cells = Math.max(10, Math.min(40, width - tail.length() - 2));
    int filled = cells * s.percent() / 100;
    String bar = "[" + "#".repeat(filled) + ".".repeat(cells - filled) + "]" + tail;
    return bar.length() > width && width > 0 ? bar.substring(0, width) : bar;
  }

  static String rate(double perSecond) {
    if (perSecond >= 1e6) {
      return String.format(Locale.ROOT, "%.1fM", perSecond / 1e6);
    }
    if (perSecond >= 1e4) {
      return String.format(Locale.ROOT, "%.0fk", perSecond / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", perSecond);
  }

  static String clock(long seconds) {
    if (seconds < 0) {
      return "--:--";
    }
    long h = seconds / 3600;
    long m = seconds / 60 % 60;
    long sec = seconds % 60;
    return h > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
        : String.format(Locale.ROOT, "%d:%02d", m, sec);
  }
}
