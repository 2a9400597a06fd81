package io.modelship.runtime;

import com.fasterxml.jackson.core.JacksonException;

/** Small helpers for error messages that users read. */
public final class Messages {
  private Messages() {}

  /** {@code " at line 3, column 7"} for a parse error, or empty when the position is unknown. */
  public static String where(JacksonException e) {
    return e.getLocation() == null
        ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  /** The first line of a library's message: the rest is usually a dump of internals. */
  public static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
