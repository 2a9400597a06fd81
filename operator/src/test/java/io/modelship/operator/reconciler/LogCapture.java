package io.modelship.operator.reconciler;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every record the operator's process logs while open, as text: the formatted message, then the
 * stack trace with every cause's message. The given categories log at DEBUG meanwhile.
 */
final class LogCapture extends Handler implements AutoCloseable {
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Map<Logger, Level> before = new HashMap<>();
  // Strong references: java.util.logging keeps loggers weakly, and a collected one loses its level.
  private final List<Logger> debug = new ArrayList<>();

  private LogCapture() {}

  static LogCapture start(String... debugCategories) {
    LogCapture c = new LogCapture();
    c.setLevel(Level.ALL);
    for (String category : debugCategories) {
      Logger l = Logger.getLogger(category);
      c.before.put(l, l.getLevel());
      c.debug.add(l);
      l.setLevel(Level.FINE);
    }
    Logger.getLogger("").addHandler(c);
    return c;
  }

  @Override
  public void publish(LogRecord r) {
    records.add(r);
  }

  /** The records so far, one string each. */
  List<String> lines() {
    List<String> out = new ArrayList<>();
    for (LogRecord r : records) {
      StringBuilder b = new StringBuilder();
      b.append(r.getLevel()).append(' ').append(r.getLoggerName()).append(' ').append(text(r));
      if (r.getThrown() != null) {
        StringWriter w = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(w));
        b.append('\n').append(w);
      }
      out.add(b.toString());
    }
    return out;
  }

  /**
   * The records of the operator's own code and libraries: those of fabric8's mock API server, which
   * stands in for the API server in tests (and logs every object it stores), are left out.
   */
  List<String> operatorLines() {
    return lines().stream()
        .filter(
            l ->
                !l.contains(" io.fabric8.kubernetes.client.server.mock.")
                    && !l.contains(" io.fabric8.mockwebserver."))
        .toList();
  }

  /** Records of the given logger whose message contains {@code part}. */
  long count(String logger, String part) {
    return records.stream()
        .filter(r -> logger.equals(r.getLoggerName()) && text(r).contains(part))
        .count();
  }

  /** Records that carry an exception, or are errors. */
  List<String> failures() {
    List<String> all = lines();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < records.size() && i < all.size(); i++) {
      LogRecord r = records.get(i);
      if (r.getThrown() != null || r.getLevel().intValue() >= Level.SEVERE.intValue()) {
        out.add(all.get(i));
      }
    }
    return out;
  }

  private static String text(LogRecord r) {
    if (r instanceof org.jboss.logmanager.ExtLogRecord ext) {
      return ext.getFormattedMessage();
    }
    return r.getMessage();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    Logger.getLogger("").removeHandler(this);
    before.forEach(Logger::setLevel);
  }
}
