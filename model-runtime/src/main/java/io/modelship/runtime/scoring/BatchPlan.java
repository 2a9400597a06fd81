package io.modelship.runtime.scoring;

import io.modelship.runtime.scoring.BatchCommand.Format;
import io.modelship.runtime.scoring.BatchCommand.Request;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which files a run reads and writes: a pure function of the request and the input directory's file
 * names, so the naming rules are tested without a file system.
 */
public final class BatchPlan {

  /** One input file and where its predictions and rejected rows go. */
  public record Job(Path in, Format format, Path out, Path rejects) {}

  /** The plan cannot be made; {@code code} is the exit code it maps to. */
  public static final class PlanException extends Exception {
    final int code;

    PlanException(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    public int code() {
      return code;
    }
  }

  /** Outputs of an earlier run, never read as inputs (a directory may be its own --out). */
  private static final Pattern OUTPUT_NAME = Pattern.compile(".*\\.(predictions|rejects)\\..*");

  private BatchPlan() {}

  /** A single input file: {@code --out} is the output file. */
  public static List<Job> forFile(Request r) throws PlanException {
    Format format = r.format() != null ? r.format() : Format.ofFileName(name(r.in()));
    if (format == null) {
      throw new PlanException(
          BatchCommand.EXIT_USAGE,
          "cannot tell the format of "
              + r.in()
              + " from its extension (.csv, .jsonl or .ndjson); give --format csv or jsonl");
    }
    Path rejects = r.rejects() != null ? r.rejects() : withoutExtension(r.out(), ".rejects.jsonl");
    Path in = r.in().toAbsolutePath().normalize();
    Path out = r.out().toAbsolutePath().normalize();
    Path rej = rejects.toAbsolutePath().normalize();
    if (out.equals(in)) {
      throw new PlanException(
          BatchCommand.EXIT_USAGE, "--out " + r.out() + " is the input file; give another path");
    }
    if (rej.equals(in) || rej.equals(out)) {
      throw new PlanException(
          BatchCommand.EXIT_USAGE,
          "the rejects file "
              + rejects
              + " would overwrite "
              + (rej.equals(in) ? "the input" : "the output")
              + "; give --rejects another path");
    }
    return List.of(new Job(r.in(), format, r.out(), rejects));
  }

  /**
   * A directory: every {@code *.csv}, {@code *.jsonl} and {@code *.ndjson} among {@code names} (the
   * regular files directly inside it), sorted; {@code X.csv} gives {@code X.predictions.csv} and
   * {@code X.rejects.jsonl} in {@code --out}.
   */
  public static List<Job> forDirectory(Request r, List<String> names) throws PlanException {
    if (r.rejects() != null) {
      throw new PlanException(
          BatchCommand.EXIT_USAGE,
          "--rejects applies to a single input file; with a directory --in, each file's rejected"
              + " rows go to X.rejects.jsonl in --out");
    }
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(null);
    List<Job> jobs = new ArrayList<>();
    Map<String, String> written = new HashMap<>();
    for (String name : sorted) {
      Format byName = Format.ofFileName(name);
      if (byName == null || OUTPUT_NAME.matcher(name).matches() || name.startsWith(".")) {
        continue;
      }
      int dot = name.lastIndexOf('.');
      String stem = name.substring(0, dot);
      String out = stem + ".predictions" + name.substring(dot);
      String rejects = stem + ".rejects.jsonl";
      // X.csv and X.jsonl share X.rejects.jsonl (each line names its file); outputs never do.
      String earlier = written.put(out.toLowerCase(java.util.Locale.ROOT), name);
      if (earlier != null) {
        throw new PlanException(
            BatchCommand.EXIT_USAGE,
            "inputs "
                + earlier
                + " and "
                + name
                + " in "
                + r.in()
                + " would both write "
                + out
                + "; rename one of them");
      }
      Format format = r.format() != null ? r.format() : byName;
      jobs.add(
          new Job(r.in().resolve(name), format, r.out().resolve(out), r.out().resolve(rejects)));
    }
    return jobs;
  }

  /** {@code preds.csv} → {@code preds<suffix>}. */
  static Path withoutExtension(Path file, String suffix) {
    String name = name(file);
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    return file.resolveSibling(stem + suffix);
  }

  private static String name(Path p) {
    Path f = p.getFileName();
    return f == null ? p.toString() : f.toString();
  }
}
