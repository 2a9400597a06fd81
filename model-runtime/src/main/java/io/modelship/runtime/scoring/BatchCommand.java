package io.modelship.runtime.scoring;

import io.modelship.runtime.batch.BatchPolicy;
import io.modelship.runtime.cli.Flag;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The arguments of {@code batch}: a pure function from arguments to a {@link Request}, so it is
 * tested without a model or a file.
 */
public final class BatchCommand {

  /** Exit code: every file scored, rejected rows (if any) within the limit. */
  public static final int EXIT_OK = 0;

  /** Exit code: unusable arguments. */
  public static final int EXIT_USAGE = 2;

  /** Exit code: the model or its card cannot be served (the serving runtime's code too). */
  public static final int EXIT_MODEL = 3;

  /** Exit code: an input could not be read or an output could not be written. */
  public static final int EXIT_IO = 4;

  /** Exit code: more rows were rejected than --max-rejected-fraction allows. */
  public static final int EXIT_TOO_MANY_REJECTED = 5;

  /** Default for --batch-size. */
  public static final int DEFAULT_BATCH_SIZE = 256;

  /** Input file formats. */
  public enum Format {
    CSV("csv"),
    JSONL("jsonl");

    private final String extension;

    Format(String extension) {
      this.extension = extension;
    }

    public String extension() {
      return extension;
    }

    /** The format a file name's extension says, or {@code null} when it says none we read. */
    public static Format ofFileName(String name) {
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (lower.endsWith(".csv")) {
        return CSV;
      }
      if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
        return JSONL;
      }
      return null;
    }
  }

  /** How progress is shown on stderr. */
  public enum ProgressMode {
    AUTO,
    BAR,
    LINES,
    NONE
  }

  /**
   * What to score and how.
   *
   * @param card an explicit card, or {@code null} for {@code <model>.yaml} beside the model
   * @param rejects an explicit rejects file (single-file input only), or {@code null}
   * @param format forced input format, or {@code null} to go by each file's extension
   * @param summary where to write the JSON summary, or {@code null}
   */
  public record Request(
      Path model,
      Path card,
      Path in,
      Path out,
      Path rejects,
      Format format,
      int batchSize,
      Path summary,
      ProgressMode progress,
      double maxRejectedFraction) {}

  /** What the arguments asked for: help, an error, or a request. */
  public record Parsed(boolean help, String error, Request request) {
    static Parsed failed(String error) {
      return new Parsed(false, error, null);
    }
  }

  private record Option(String flag, String arg, String help) {}

  private static final List<Option> OPTIONS =
      List.of(
          new Option("--model", "FILE", "ONNX model to score with (required)"),
          new Option("--card", "FILE", "model card (default: <model>.yaml beside the model)"),
          new Option(
              "--in", "PATH", "input file, or a directory: its *.csv and *.jsonl files (required)"),
          new Option(
              "--out",
              "PATH",
              "output file, or a directory (created if missing) for a directory --in (required)"),
          new Option(
              "--rejects",
              "FILE",
              "rejected rows, one JSON line each (default: <out without extension>.rejects.jsonl)"),
          new Option("--format", "FORMAT", "csv or jsonl (default: from each file's extension)"),
          new Option(
              "--batch-size",
              "ROWS",
              "rows per model call, 1-"
                  + BatchPolicy.MAX_BATCH_SIZE
                  + " (default "
                  + DEFAULT_BATCH_SIZE
                  + ")"),
          new Option(
              "--summary",
              "FILE",
              "also write the summary as one JSON object here (e.g. /dev/termination-log)"),
          new Option(
              "--progress",
              "MODE",
              "auto, bar, lines or none (default auto: bar on a terminal, lines otherwise)"),
          new Option(
              "--max-rejected-fraction",
              "FRACTION",
              "exit 5 when more than this share of the rows is rejected, 0-1 (default 1)"));

  private BatchCommand() {}

  /** Parses the arguments that follow {@code batch}. */
  public static Parsed parse(String... args) {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        return new Parsed(true, null, null);
      }
    }
    String model = null;
    String card = null;
    String in = null;
    String out = null;
    String rejects = null;
    Format format = null;
    int batchSize = DEFAULT_BATCH_SIZE;
    String summary = null;
    ProgressMode progress = ProgressMode.AUTO;
    double maxRejected = 1.0;
    Set<String> seen = new HashSet<>();
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
        case "--model" -> model = value;
        case "--card" -> card = value;
        case "--in" -> in = value;
        case "--out" -> out = value;
        case "--rejects" -> rejects = value;
        case "--summary" -> summary = value;
        case "--format" -> {
          format =
              switch (value.strip()) {
                case "csv" -> Format.CSV;
                case "jsonl" -> Format.JSONL;
                default -> null;
              };
          if (format == null) {
            return Parsed.failed("--format: must be csv or jsonl (got " + value + ")");
          }
        }
        case "--batch-size" -> {
          Integer n = integer(value);
          if (n == null || n < 1 || n > BatchPolicy.MAX_BATCH_SIZE) {
            return Parsed.failed(
                "--batch-size: must be a number of rows 1-"
                    + BatchPolicy.MAX_BATCH_SIZE
                    + " (got "
                    + value
                    + ")");
          }
          batchSize = n;
        }
        case "--progress" -> {
          progress =
              switch (value.strip()) {
                case "auto" -> ProgressMode.AUTO;
                case "bar" -> ProgressMode.BAR;
                case "lines" -> ProgressMode.LINES;
                case "none" -> ProgressMode.NONE;
                default -> null;
              };
          if (progress == null) {
            return Parsed.failed(
                "--progress: must be auto, bar, lines or none (got " + value + ")");
          }
        }
        case "--max-rejected-fraction" -> {
          Double f = fraction(value);
          if (f == null) {
            return Parsed.failed(
                "--max-rejected-fraction: must be a number from 0 to 1 (got " + value + ")");
          }
          maxRejected = f;
        }
        default -> throw new IllegalStateException(flag);
      }
    }
    for (String[] required : new String[][] {{"--model", model}, {"--in", in}, {"--out", out}}) {
      if (required[1] == null) {
        return Parsed.failed(required[0] + " is required");
      }
    }
    try {
      return new Parsed(
          false,
          null,
          new Request(
              Path.of(model),
              card == null ? null : Path.of(card),
              Path.of(in),
              Path.of(out),
              rejects == null ? null : Path.of(rejects),
              format,
              batchSize,
              summary == null ? null : Path.of(summary),
              progress,
              maxRejected));
    } catch (InvalidPathException e) {
      return Parsed.failed("not a valid path: " + e.getInput());
    }
  }

  private static Option find(String flag) {
    return OPTIONS.stream().filter(o -> o.flag().equals(flag)).findFirst().orElse(null);
  }

  private static Integer integer(String s) {
    try {
      return Integer.valueOf(s.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double fraction(String s) {
    try {
      double d = Double.parseDouble(s.strip());
      return d >= 0 && d <= 1 ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public static String usage() {
    StringBuilder b =
        new StringBuilder(
            "Usage: java -jar quarkus-run.jar batch --model FILE.onnx --in PATH --out PATH"
                + " [options]\n\n"
                + "Scores CSV or JSON-lines files with the model, without starting the server.\n"
                + "Every row is checked against the model card as an HTTP request's features are;"
                + " a row\nthat fails goes to the rejects file with the reason, and the run goes"
                + " on. Output rows\nare the input's columns plus the prediction, in input order.\n"
                + "A directory --in: every *.csv and *.jsonl directly inside it; each X.csv gives"
                + "\nX.predictions.csv and X.rejects.jsonl in the --out directory.\n\n"
                + "Options:\n");
    for (Option o : OPTIONS) {
      b.append(String.format("  %-34s %s%n", o.flag() + " " + o.arg(), o.help()));
    }
    b.append(String.format("  %-34s %s%n", "-h, --help", "print this help and exit"));
    b.append(
        "\nProgress goes to stderr; --progress lines prints"
            + " \"progress rows=N rejected=M percent=P\" every 2 s.\n"
            + "Exit codes: 0 done (rejected rows within the limit), 2 bad arguments, 3 model or"
            + " card\ncannot be served, 4 input or output error, 5 too many rejected rows.");
    return b.toString();
  }
}
