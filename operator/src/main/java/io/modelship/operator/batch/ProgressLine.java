package io.modelship.operator.batch;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The batch command's progress, from the tail of its log: {@code progress rows=<n> rejected=<m>
 * percent=<p>} lines on stderr every 2 s ({@code --progress lines}). Pure.
 */
public record ProgressLine(long rows, long rejected, Integer percent) {
  private static final Pattern LINE =
      Pattern.compile(
          "(?:^|\\s)progress rows=(\\d{1,18}) rejected=(\\d{1,18})(?: percent=(\\d{1,3})(?:\\.\\d+)?)?");

  /** The last progress line of a log tail, or null when it has none. */
  public static ProgressLine last(String logTail) {
    if (logTail == null) {
      return null;
    }
    ProgressLine found = null;
    for (String line : logTail.split("\n")) {
      Matcher m = LINE.matcher(line);
      if (m.find()) {
        Integer percent = m.group(3) == null ? null : Math.min(100, Integer.parseInt(m.group(3)));
        found = new ProgressLine(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), percent);
      }
    }
    return found;
  }
}
