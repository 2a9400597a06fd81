package io.modelship.runtime.fetch;

import io.modelship.runtime.cli.Flag;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The arguments of {@code fetch}: a pure function from arguments to a {@link Request}, so it is
 * tested without touching the network or the disk.
 */
public final class FetchCommand {

  /** Exit code: the model is in place. */
  public static final int EXIT_OK = 0;

  /** Exit code: unusable arguments (unknown flag, missing --uri or --dest, malformed value). */
  public static final int EXIT_USAGE = 2;

  /** Exit code: the source does not exist or cannot be read, or HTTP answered other than 200. */
  public static final int EXIT_SOURCE = 3;

  /** Exit code: the URI's scheme is not supported (or plain http without --allow-http). */
  public static final int EXIT_SCHEME = 4;

  /** Exit code: the content does not have the expected sha256. */
  public static final int EXIT_SHA256 = 5;

  /** Exit code: larger than --max-bytes, timed out, or the destination could not be written. */
  public static final int EXIT_WRITE = 6;

  /** Default for --max-bytes: 2 GiB. */
  public static final long DEFAULT_MAX_BYTES = 2L * 1024 * 1024 * 1024;

  /** Default for --timeout-seconds. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 60;

  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

  /** What to fetch, where to, and the limits. {@code sha256} is lower-case hex, or null. */
  public record Request(
      String uri, Path dest, String sha256, Duration timeout, long maxBytes, boolean allowHttp) {}

  /** What the arguments asked for: help, an error, or a request. */
  public record Parsed(boolean help, String error, Request request) {
    static Parsed failed(String error) {
      return new Parsed(false, error, null);
    }
  }

  private record Option(String flag, String arg, String help) {}

  private static final List<Option> OPTIONS =
      List.of(
          new Option("--uri", "URI", "where the model is: a file path, file:///path or https://"),
          new Option("--dest", "FILE", "where to write it (parent directories are created)"),
          new Option("--sha256", "HEX", "expected sha256 of the content (64 hex digits)"),
          new Option(
              "--timeout-seconds",
              "N",
              "HTTP connect timeout and longest wait for data (default "
                  + DEFAULT_TIMEOUT_SECONDS
                  + ")"),
          new Option(
              "--max-bytes", "N", "refuse a model larger than this (default 2147483648 = 2 GiB)"),
          new Option("--allow-http", null, "accept plain http:// URIs (not recommended)"));

  private FetchCommand() {}

  /** Parses the arguments that follow {@code fetch}. */
  public static Parsed parse(String... args) {
    String uri = null;
    String dest = null;
    String sha256 = null;
    int timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
    long maxBytes = DEFAULT_MAX_BYTES;
    boolean allowHttp = false;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return new Parsed(true, null, null);
      }
    }
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      Flag split = Flag.split(a);
      String flag = split.name();
      String value = split.inlineValue();
      Option opt = find(flag);
      if (opt == null) {
        return Parsed.failed("unknown option " + a);
      }
      if (!seen.add(flag)) {
        return Parsed.failed(flag + " given more than once");
      }
      if (opt.arg() == null) {
        if (value != null) {
          return Parsed.failed(flag + " takes no value");
        }
        allowHttp = true;
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          return Parsed.failed(flag + " needs a value (" + opt.arg() + ")");
        }
        value = args[++i];
      }
      if (value.isBlank()) {
        return Parsed.failed(flag + ": must not be empty");
      }
      switch (flag) {
        case "--uri" -> uri = value.strip();
        case "--dest" -> dest = value;
        case "--sha256" -> {
          String hex = value.strip();
          if (!SHA256.matcher(hex).matches()) {
            return Parsed.failed("--sha256: must be 64 hexadecimal digits (got " + value + ")");
          }
          sha256 = hex.toLowerCase(Locale.ROOT);
        }
        case "--timeout-seconds" -> {
          Long t = positive(value);
          if (t == null || t > Integer.MAX_VALUE) {
            return Parsed.failed(
                "--timeout-seconds: must be a positive number of seconds (got " + value + ")");
          }
          timeoutSeconds = t.intValue();
        }
        case "--max-bytes" -> {
          Long m = positive(value);
          if (m == null) {
            return Parsed.failed(
                "--max-bytes: must be a positive number of bytes (got " + value + ")");
          }
          maxBytes = m;
        }
        default -> throw new IllegalStateException(flag);
      }
    }
    if (uri == null) {
      return Parsed.failed("--uri is required");
    }
    if (dest == null) {
      return Parsed.failed("--dest is required");
    }
    Path destPath;
    try {
      destPath = Path.of(dest);
    } catch (RuntimeException e) {
      return Parsed.failed("--dest: not a valid path (got " + dest + ")");
    }
    return new Parsed(
        false,
        null,
        new Request(
            uri, destPath, sha256, Duration.ofSeconds(timeoutSeconds), maxBytes, allowHttp));
  }

  private static Option find(String flag) {
    return OPTIONS.stream().filter(o -> o.flag().equals(flag)).findFirst().orElse(null);
  }

  private static Long positive(String s) {
    try {
      long v = Long.parseLong(s.strip());
      return v > 0 ? v : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public static String usage() {
    StringBuilder b =
        new StringBuilder(
            "Usage: java -jar quarkus-run.jar fetch --uri URI --dest FILE [options]\n\n"
                + "Copies or downloads one model to FILE and exits, without starting the server\n"
                + "(a Kubernetes init container uses it to fill an emptyDir). The content goes to"
                + " a\ntemporary file beside FILE and is moved into place atomically once"
                + " complete and\nverified, so FILE is never seen half-written.\n\n"
                + "URI forms:\n"
                + "  /abs/path, file:///abs/path   copy a local file (e.g. a mounted ConfigMap"
                + " or PVC)\n"
                + "  https://host/path             download (redirects followed)\n"
                + "  http://host/path              only with --allow-http\n\n"
                + "Options:\n");
    for (Option o : OPTIONS) {
      String left = o.arg() == null ? o.flag() : o.flag() + " " + o.arg();
      b.append(String.format("  %-22s %s%n", left, o.help()));
    }
    b.append(String.format("  %-22s %s%n", "-h, --help", "print this help and exit"));
    b.append(
        "\nMessages go to stderr and, when it exists and is writable, to /dev/termination-log.\n"
            + "Exit codes: 0 fetched, 2 bad arguments, 3 source not found or unreadable (or HTTP\n"
            + "status other than 200), 4 unsupported scheme (or http:// without --allow-http),\n"
            + "5 sha256 mismatch, 6 too large, timed out, or the destination could not be"
            + " written.");
    return b.toString();
  }
}
