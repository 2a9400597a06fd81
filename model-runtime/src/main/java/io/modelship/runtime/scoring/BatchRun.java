package io.modelship.runtime.scoring;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelship.runtime.api.RequestReader;
import io.modelship.runtime.card.CardException;
import io.modelship.runtime.fetch.ModelFetcher;
import io.modelship.runtime.model.FeatureBatch;
import io.modelship.runtime.model.ModelLoadException;
import io.modelship.runtime.model.Prediction;
import io.modelship.runtime.model.ServedModel;
import io.modelship.runtime.scoring.BatchCommand.Format;
import io.modelship.runtime.scoring.BatchCommand.ProgressMode;
import io.modelship.runtime.scoring.BatchCommand.Request;
import io.modelship.runtime.scoring.BatchPlan.Job;
import io.modelship.runtime.scoring.BatchPlan.PlanException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/**
 * {@code batch}: scores files with a model, without starting the server. Reads each file line by
 * line, validates every row as an HTTP request's features, predicts the accepted rows {@code
 * --batch-size} at a time, and streams predictions and rejected rows to their files; memory stays
 * bounded by the batch, whatever the file's size.
 */
public final class BatchRun {

  /** The longest line read; a longer one is refused (and memory stays bounded). */
  static final int MAX_LINE_BYTES = 1 << 20;

  /** How much of a too-long line the rejects file shows. */
  static final int SHOWN_BYTES = 1024;

  /** With a codec, so carried JSON values are written back as they were read. */
  private static final JsonFactory JSON = new JsonMapper().getFactory();

  /** A failure that ends the run, with its exit code and the message naming the file. */
  static final class RunException extends Exception {
    final int code;

    RunException(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /** Counts shared with the progress thread; written by the scoring thread only. */
  private static final class Counters {
    volatile long rows;
    volatile long predicted;
    volatile long rejected;
    volatile long bytesBefore;
    volatile LineReader current;
    final long totalBytes;
    final long start = System.nanoTime();

    Counters(long totalBytes) {
      this.totalBytes = totalBytes;
    }

    Progress.Snapshot snapshot() {
      LineReader r = current;
      return new Progress.Snapshot(
          rows,
          rejected,
          bytesBefore + (r == null ? 0 : r.bytesRead()),
          totalBytes,
          System.nanoTime() - start);
    }
  }

  private final Request request;
  private final PrintStream err;
  private final Path terminationLog;
  private ServedModel model;
  private RequestReader reader;
  private PredictionColumns columns;
  private Counters counters;

  private BatchRun(Request request, PrintStream err, Path terminationLog) {
    this.request = request;
    this.err = err;
    this.terminationLog = terminationLog;
  }

  /**
   * A failure's message, on stderr and where Kubernetes shows a container's last words (as the
   * runtime does for a model it cannot serve), so a failed Job's pod status says why.
   */
  static void fail(PrintStream err, Path terminationLog, String message) {
    err.println("modelship batch: " + message);
    ModelFetcher.terminationMessage(terminationLog, "modelship batch: " + message);
  }

  /**
   * Runs {@code batch ARGS} (the arguments after {@code batch}) and returns the exit code.
   *
   * @param cannotServe reports a model or card that cannot be served and gives the exit code
   */
  public static int run(String[] args, ToIntFunction<String> cannotServe) {
    return run(
        args,
        System.out,
        System.err,
        cannotServe,
        () -> System.console() != null ? 1 : 0,
        ModelFetcher.TERMINATION_LOG);
  }

  static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      ToIntFunction<String> cannotServe,
      IntSupplier isTerminal,
      Path terminationLog) {
    BatchCommand.Parsed parsed = BatchCommand.parse(args);
    if (parsed.help()) {
      out.println(BatchCommand.usage());
      return BatchCommand.EXIT_OK;
    }
    if (parsed.error() != null) {
      fail(err, terminationLog, parsed.error());
      err.println("Run with batch --help to see the options.");
      return BatchCommand.EXIT_USAGE;
    }
    Request request = parsed.request();
    List<Job> jobs;
    try {
      jobs = plan(request);
    } catch (PlanException e) {
      fail(err, terminationLog, e.getMessage());
      if (e.code() == BatchCommand.EXIT_USAGE) {
        err.println("Run with batch --help to see the options.");
      }
      return e.code();
    }
    ServedModel model;
    try {
      model = ServedModel.load(request.model(), request.card(), null);
    } catch (ModelLoadException | CardException | IllegalArgumentException e) {
      err.println("modelship batch: cannot serve the model: " + e.getMessage());
      return cannotServe.applyAsInt(e.getMessage());
    }
    ProgressMode mode = request.progress();
    if (mode == ProgressMode.AUTO) {
      mode = isTerminal.getAsInt() != 0 ? ProgressMode.BAR : ProgressMode.LINES;
    }
    try (model) {
      return new BatchRun(request, err, terminationLog).score(model, jobs, mode);
    }
  }

  /** Lists the inputs and makes the output directory. */
  static List<Job> plan(Request r) throws PlanException {
    if (Files.isDirectory(r.in())) {
      if (Files.exists(r.out()) && !Files.isDirectory(r.out())) {
        throw new PlanException(
            BatchCommand.EXIT_USAGE,
            "--out " + r.out() + " is a file; a directory --in needs a directory --out");
      }
      List<String> names = new ArrayList<>();
      try (Stream<Path> files = Files.list(r.in())) {
        for (Iterator<Path> it = files.iterator(); it.hasNext(); ) {
          Path p = it.next();
          if (Files.isRegularFile(p)) {
            names.add(p.getFileName().toString());
          }
        }
      } catch (IOException e) {
        throw new PlanException(BatchCommand.EXIT_IO, "cannot list " + r.in() + ": " + reason(e));
      }
      List<Job> jobs = BatchPlan.forDirectory(r, names);
      try {
        Files.createDirectories(r.out());
      } catch (IOException e) {
        throw new PlanException(
            BatchCommand.EXIT_IO, "cannot create directory " + r.out() + ": " + reason(e));
      }
      return jobs;
    }
    if (!Files.exists(r.in())) {
      throw new PlanException(BatchCommand.EXIT_IO, r.in() + ": no such file or directory");
    }
    if (!Files.isReadable(r.in())) {
      throw new PlanException(BatchCommand.EXIT_IO, r.in() + ": permission denied");
    }
    if (Files.isDirectory(r.out())) {
      throw new PlanException(
          BatchCommand.EXIT_USAGE,
          "--out " + r.out() + " is a directory; for a single input file give the output file");
    }
    return BatchPlan.forFile(r);
  }

  private int score(ServedModel model, List<Job> jobs, ProgressMode mode) {
    this.model = model;
    this.reader = new RequestReader(model.signature(), MAX_LINE_BYTES);
    this.columns = PredictionColumns.of(model.signature());
    long total = 0;
    for (Job j : jobs) {
      try {
        total += Files.size(j.in());
      } catch (IOException e) {
        // the read reports it
      }
    }
    counters = new Counters(total);
    if (jobs.isEmpty()) {
      err.println("modelship batch: no *.csv, *.jsonl or *.ndjson files in " + request.in());
    }
    ScheduledExecutorService ticker = startProgress(mode);
    predictor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "batch-predict");
              t.setDaemon(true);
              return t;
            });
    pending = new Pending(request.batchSize());
    List<String> outputs = new ArrayList<>();
    List<String> rejects = new ArrayList<>();
    // A rejects file shared by several inputs stays open until the last of them is done.
    Map<Path, Integer> lastUse = new HashMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      lastUse.put(jobs.get(i).rejects(), i);
    }
    Map<Path, Output> openRejects = new HashMap<>();
    try {
      for (int i = 0; i < jobs.size(); i++) {
        Job job = jobs.get(i);
        Output rej = openRejects.get(job.rejects());
        if (rej == null) {
          rej = open(job.rejects());
          openRejects.put(job.rejects(), rej);
          rejects.add(job.rejects().toString());
        }
        scoreFile(job, rej);
        outputs.add(job.out().toString());
        if (lastUse.get(job.rejects()) == i) {
          commit(openRejects.remove(job.rejects()));
        }
      }
    } catch (RunException e) {
      predictor.shutdownNow();
      openRejects.values().forEach(Output::close);
      stopProgress(ticker, mode);
      fail(err, terminationLog, e.getMessage());
      return e.code;
    }
    predictor.shutdown();
    stopProgress(ticker, mode);
    Summary summary =
        new Summary(
            counters.rows,
            counters.predicted,
            counters.rejected,
            jobs.size(),
            (System.nanoTime() - counters.start) / 1e9,
            outputs,
            rejects);
    err.println(summary.human());
    if (request.summary() != null) {
      try {
        Files.writeString(
            request.summary(),
            summary.json(Summary.MAX_JSON_BYTES),
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
      } catch (IOException e) {
        fail(
            err,
            terminationLog,
            "cannot write the summary to " + request.summary() + ": " + reason(e));
        return BatchCommand.EXIT_IO;
      }
    }
    if (summary.rejectedFraction() > request.maxRejectedFraction()) {
      err.println(
          String.format(
              java.util.Locale.ROOT,
              "modelship batch: %d of %d rows rejected (%.2f%%), more than"
                  + " --max-rejected-fraction %s allows; the reasons are in the rejects file%s",
              summary.rowsRejected(),
              summary.rowsRead(),
              100 * summary.rejectedFraction(),
              request.maxRejectedFraction(),
              rejects.size() == 1 ? " " + rejects.get(0) : "s"));
      return BatchCommand.EXIT_TOO_MANY_REJECTED;
    }
    return BatchCommand.EXIT_OK;
  }

  private ScheduledExecutorService startProgress(ProgressMode mode) {
    if (mode == ProgressMode.NONE) {
      return null;
    }
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "batch-progress");
              t.setDaemon(true);
              return t;
            });
    if (mode == ProgressMode.BAR) {
      s.scheduleAtFixedRate(
          () -> err.print(redraw(counters.snapshot())), 0, 250, TimeUnit.MILLISECONDS);
    } else {
      s.scheduleAtFixedRate(
          () -> err.println(Progress.line(counters.snapshot())), 2, 2, TimeUnit.SECONDS);
    }
    return s;
  }

  /** The bar over the previous one; padded, so a shorter bar leaves nothing of a longer one. */
  private static String redraw(Progress.Snapshot s) {
    return String.format("\r%-79s", Progress.bar(s, 79));
  }

  private void stopProgress(ScheduledExecutorService s, ProgressMode mode) {
    if (s == null) {
      return;
    }
    s.shutdownNow();
    try {
      s.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (mode == ProgressMode.BAR) {
      err.println(redraw(counters.snapshot()));
    } else {
      err.println(Progress.line(counters.snapshot()));
    }
  }

  // ------------------------------------------------------------------------------- one file

  /** An output file written beside its final name and moved into place once complete. */
  private static final class Output implements AutoCloseable {
    final Path target;
    final Path temp;
    final Writer writer;
    boolean committed;

    Output(Path target) throws IOException {
      this.target = target;
      Path dir = target.toAbsolutePath().getParent();
      if (Files.exists(target) && !Files.isRegularFile(target)) {
        temp = null; // a device or pipe (/dev/stdout): written in place
        writer = writer(Files.newOutputStream(target, StandardOpenOption.WRITE));
      } else {
        Files.createDirectories(dir);
        // Not createTempFile: its owner-only permissions would stay on the moved file.
        temp =
            dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".part");
        writer =
            writer(
                Files.newOutputStream(
                    temp,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING));
      }
    }

    private static Writer writer(java.io.OutputStream out) {
      return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    }

    void commit() throws IOException {
      writer.close();
      if (temp != null) {
        try {
          Files.move(
              temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
          Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      committed = true;
    }

    @Override
    public void close() {
      if (committed) {
        return;
      }
      try {
        writer.close();
      } catch (IOException e) {
        // already failing
      }
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // already failing
        }
      }
    }
  }

  /** Rows accepted and waiting for their model call, in input order. */
  private static final class Pending {
    final List<FeatureBatch> features;
    final List<Object> carry;
    final long[] lines;

    Pending(int capacity) {
      features = new ArrayList<>(capacity);
      carry = new ArrayList<>(capacity);
      lines = new long[capacity];
    }

    int size() {
      return features.size();
    }

    void add(FeatureBatch f, Object c, long line) {
      lines[features.size()] = line;
      features.add(f);
      carry.add(c);
    }
  }

  /**
   * Batches handed to the model thread and not yet written, oldest first. Reading and validating
   * the next batch overlaps with predicting and writing the previous ones; one thread predicts, so
   * outputs stay in input order. At most {@link #IN_FLIGHT} batches wait, so memory stays bounded.
   */
  private final ArrayDeque<Future<?>> inFlight = new ArrayDeque<>();

  static final int IN_FLIGHT = 2;

  private ExecutorService predictor;
  private Pending pending;

  private void scoreFile(Job job, Output rej) throws RunException {
    String file = job.in().toString();
    Output out = null;
    LineReader lines = null;
    try {
      try {
        lines = new LineReader(Files.newInputStream(job.in()), MAX_LINE_BYTES);
      } catch (IOException e) {
        throw new RunException(BatchCommand.EXIT_IO, "cannot read " + file + ": " + reason(e));
      }
      out = open(job.out());
      counters.current = lines;
      CsvRows csv = job.format() == Format.CSV ? new CsvRows(reader, model.card().inputs()) : null;
      JsonlRows jsonl =
          job.format() == Format.JSONL ? new JsonlRows(reader, model.card().inputs()) : null;
      JsonGenerator json = null;
      if (jsonl != null) {
        json = JSON.createGenerator(out.writer);
        json.setRootValueSeparator(null);
      }
      while (true) {
        LineReader.Line line;
        try {
          line = lines.next();
        } catch (IOException e) {
          throw new RunException(BatchCommand.EXIT_IO, "cannot read " + file + ": " + reason(e));
        }
        if (line == null) {
          break;
        }
        if (line.tooLong()) {
          if (csv != null && !csv.hasHeader()) {
            throw new RunException(
                BatchCommand.EXIT_IO,
                file + ": the header line is longer than " + MAX_LINE_BYTES + " bytes");
          }
          counters.rows++;
          String shown =
              new String(
                  line.bytes(), 0, Math.min(SHOWN_BYTES, line.length()), StandardCharsets.UTF_8);
          reject(
              rej,
              file,
              line.number(),
              "line is longer than " + MAX_LINE_BYTES + " bytes",
              shown + "…");
          continue;
        }
        if (line.isBlank()) {
          continue;
        }
        String text = line.text();
        if (csv != null && !csv.hasHeader()) {
          if (text == null) {
            throw new RunException(
                BatchCommand.EXIT_IO, file + ": the header line is not valid UTF-8");
          }
          String problem;
          try {
            problem = csv.header(text);
          } catch (Csv.SyntaxException e) {
            problem = "the header line is not valid CSV: " + e.getMessage();
          }
          if (problem != null) {
            throw new RunException(BatchCommand.EXIT_IO, file + ": " + problem);
          }
          List<String> missing = csv.missingRequired();
          if (!missing.isEmpty()) {
            err.println(
                "modelship batch: "
                    + file
                    + ": the header has no column for required feature"
                    + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing)
                    + "; every row will be rejected");
          }
          StringBuilder h = new StringBuilder(text.startsWith("\uFEFF") ? text.substring(1) : text);
          for (String c : columns.csvNames(csv.columns())) {
            h.append(',').append(Csv.quote(c));
          }
          out.writer.write(h.append('\n').toString());
          continue;
        }
        counters.rows++;
        if (text == null) {
          reject(rej, file, line.number(), "not valid UTF-8", line.lenientText());
          continue;
        }
        RowResult result = csv != null ? csv.row(text) : jsonl.row(line.bytes());
        if (result instanceof RowResult.Rejected r) {
          reject(rej, file, line.number(), r.reason(), text);
        } else {
          RowResult.Accepted a = (RowResult.Accepted) result;
          pending.add(a.features(), a.carry(), line.number());
          if (pending.size() >= request.batchSize()) {
            submit(file, out, rej, json);
          }
        }
      }
      submit(file, out, rej, json);
      drain(0);
      if (json != null) {
        json.flush();
      }
      counters.bytesBefore += lines.bytesRead();
      counters.current = null;
      rej.writer.flush();
      commit(out);
    } catch (IOException e) {
      throw new RunException(BatchCommand.EXIT_IO, "cannot write for " + file + ": " + reason(e));
    } finally {
      counters.current = null;
      pending = new Pending(request.batchSize());
      if (!inFlight.isEmpty()) {
        inFlight.forEach(f -> f.cancel(false));
        try {
          drain(0);
        } catch (RunException | IOException e) {
          // already failing
        }
      }
      if (out != null) {
        out.close();
      }
      if (lines != null) {
        try {
          lines.close();
        } catch (IOException e) {
          // nothing left to read
        }
      }
    }
  }

  private static Output open(Path target) throws RunException {
    try {
      return new Output(target);
    } catch (IOException e) {
      throw new RunException(BatchCommand.EXIT_IO, "cannot write " + target + ": " + reason(e));
    }
  }

  private static void commit(Output o) throws RunException {
    try {
      o.commit();
    } catch (IOException e) {
      throw new RunException(BatchCommand.EXIT_IO, "cannot write " + o.target + ": " + reason(e));
    }
  }

  /** Hands the pending rows to the model thread, waiting while too many batches are queued. */
  private void submit(String file, Output out, Output rej, JsonGenerator json)
      throws RunException, IOException {
    Pending batch = pending;
    pending = new Pending(request.batchSize());
    if (batch.size() == 0) {
      return;
    }
    drain(IN_FLIGHT - 1);
    inFlight.add(
        predictor.submit(
            () -> {
              predict(batch, file, out, rej, json);
              return null;
            }));
  }

  /** Waits until at most {@code keep} batches are queued; rethrows the model thread's failure. */
  private void drain(int keep) throws RunException, IOException {
    while (inFlight.size() > keep) {
      Future<?> f = inFlight.poll();
      try {
        f.get();
      } catch (CancellationException e) {
        // the file is being abandoned
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RunException(BatchCommand.EXIT_IO, "interrupted");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
  }

  /** Predicts a batch in one model call and writes its rows out in order (model thread). */
  private void predict(Pending batch, String file, Output out, Output rej, JsonGenerator json)
      throws IOException {
    int n = batch.size();
    Prediction p;
    try {
      p = model.predict(FeatureBatch.concat(batch.features));
    } catch (Exception e) {
      p = null;
    }
    if (p != null) {
      for (int r = 0; r < n; r++) {
        write(out, json, batch.carry.get(r), p, r);
      }
      counters.predicted += n;
      return;
    }
    // The batch failed: one row at a time, so only the rows the model cannot take are refused.
    for (int r = 0; r < n; r++) {
      try {
        Prediction one = model.predict(batch.features.get(r));
        write(out, json, batch.carry.get(r), one, 0);
        counters.predicted++;
      } catch (Exception e) {
        reject(
            rej,
            file,
            batch.lines[r],
            "the model failed on this row: "
                + io.modelship.runtime.Messages.firstLine(e.getMessage()),
            carryText(batch.carry.get(r)));
      }
    }
  }

  private final StringBuilder row = new StringBuilder(256);

  private void write(Output out, JsonGenerator json, Object carry, Prediction p, int r)
      throws IOException {
    if (json == null) {
      row.setLength(0);
      row.append((String) carry);
      columns.csvCells(p, r, row);
      row.append('\n');
      out.writer.append(row);
      return;
    }
    ObjectNode object = (ObjectNode) carry;
    Set<String> taken = new HashSet<>();
    object.fieldNames().forEachRemaining(taken::add);
    json.writeStartObject();
    for (var it = object.fields(); it.hasNext(); ) {
      var e = it.next();
      json.writeFieldName(e.getKey());
      writeNode(json, e.getValue());
    }
    columns.jsonFields(p, r, json, taken);
    json.writeEndObject();
    json.writeRaw('\n');
  }

  private static void writeNode(JsonGenerator g, JsonNode node) throws IOException {
    g.writeTree(node);
  }

  private static String carryText(Object carry) {
    return carry instanceof String s ? s : carry.toString();
  }

  /** Called by the reading thread and, for rows the model fails on, by the model thread. */
  private synchronized void reject(Output rej, String file, long line, String reason, String raw)
      throws IOException {
    counters.rejected++;
    StringWriter w = new StringWriter(raw.length() + reason.length() + 64);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("file", file);
      g.writeNumberField("line", line);
      g.writeStringField("reason", reason);
      g.writeStringField("row", raw);
      g.writeEndObject();
    }
    rej.writer.write(w.append('\n').toString());
  }

  static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException
        || e instanceof java.nio.file.NotDirectoryException) {
      return e.getMessage() + " is in the way: a file where a directory is needed";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
