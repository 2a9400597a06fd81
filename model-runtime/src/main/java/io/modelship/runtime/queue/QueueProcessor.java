package io.modelship.runtime.queue;

import io.modelship.runtime.api.ApiException;
import io.modelship.runtime.api.RequestReader;
import io.modelship.runtime.api.ResponseWriter;
import io.modelship.runtime.batch.BatchPolicy;
import io.modelship.runtime.http.Endpoint;
import io.modelship.runtime.model.FeatureBatch;
import io.modelship.runtime.model.Prediction;
import io.modelship.runtime.model.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one poll's messages into what to write, without any Kafka I/O: every message is read and
 * validated as the HTTP API would, the valid ones are predicted together in as few model calls as
 * their rows allow, and each message gets exactly one {@link Outgoing}, in the order they came.
 *
 * <p>Model failures: a failed model call is tried again up to {@code retries} times, waiting {@code
 * backoff} times the attempt number in between (a transient failure, such as memory pressure,
 * should not cost requests). When a batch still fails, each of its requests is tried alone once, so
 * one request the model cannot take does not take the rest of the poll with it; a request that
 * fails alone is dead-lettered with status 500 and the model's error.
 */
public final class QueueProcessor {

  /** The model as the processor calls it; tests swap in one that fails. */
  public interface Model {
    Prediction predict(FeatureBatch rows) throws Exception;

    Map<String, Tensor> infer(List<Tensor> inputs, Set<String> outputs) throws Exception;
  }

  /** Pauses between attempts; tests pass one that does not sleep. */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /**
   * What one poll came to.
   *
   * @param out one entry per message, in the messages' order
   * @param invalid messages dead-lettered before the model saw them
   * @param modelFailed messages dead-lettered because the model failed on them
   * @param retries model calls made again after a failure
   * @param modelCalls model calls made, retries and single-request tries included
   * @param rows rows in the successful model calls
   */
  public record Result(
      List<Outgoing> out, int invalid, int modelFailed, int retries, int modelCalls, int rows) {}

  private final RequestReader reader;
  private final ResponseWriter writer;
  private final Model model;
  private final String modelName;
  private final String revision;
  private final long maxBodyBytes;
  private final int retries;
  private final Duration backoff;
  private final Sleeper sleeper;

  public QueueProcessor(
      RequestReader reader,
      ResponseWriter writer,
      Model model,
      String modelName,
      String revision,
      long maxBodyBytes,
      int retries,
      Duration backoff,
      Sleeper sleeper) {
    this.reader = reader;
    this.writer = writer;
    this.model = model;
    this.modelName = modelName;
    this.revision = revision;
    this.maxBodyBytes = maxBodyBytes;
    this.retries = retries;
    this.backoff = backoff;
    this.sleeper = sleeper;
  }

  /** Mutable tallies of one call to {@link #process}. */
  private static final class Tally {
    int invalid;
    int retries;
    int calls;
    int rows;
  }

  public Result process(List<Message> messages) throws InterruptedException {
    Map<Message, Outgoing> out = new LinkedHashMap<>();
    List<QueueRequest.Valid> batchable = new ArrayList<>();
    List<QueueRequest.Valid> tensors = new ArrayList<>();
    int invalid = 0;
    for (Message m : messages) {
      QueueRequest r = QueueRequest.read(reader, maxBodyBytes, m);
      out.put(m, null); // keeps the messages' order
      if (r instanceof QueueRequest.Invalid bad) {
        out.put(m, deadLetter(m, bad.error()));
        invalid++;
      } else if (r instanceof QueueRequest.Valid v && v.api() == Endpoint.V2_INFER) {
        tensors.add(v);
      } else {
        batchable.add((QueueRequest.Valid) r);
      }
    }
    Tally t = new Tally();
    int failed = 0;
    for (List<QueueRequest.Valid> chunk : chunks(batchable, BatchPolicy.MAX_BATCH_SIZE)) {
      failed += predict(chunk, out, t);
    }
    for (QueueRequest.Valid v : tensors) {
      failed += infer(v, out, t) ? 0 : 1;
    }
    return new Result(
        List.copyOf(out.values()), invalid + t.invalid, failed, t.retries, t.calls, t.rows);
  }

  /**
   * Consecutive groups of at most {@code maxRows} rows; a request larger than that is a group of
   * its own.
   */
  static List<List<QueueRequest.Valid>> chunks(List<QueueRequest.Valid> requests, int maxRows) {
    List<List<QueueRequest.Valid>> chunks = new ArrayList<>();
    List<QueueRequest.Valid> current = new ArrayList<>();
    int rows = 0;
    for (QueueRequest.Valid v : requests) {
      if (!current.isEmpty() && rows + v.rows().rows() > maxRows) {
        chunks.add(current);
        current = new ArrayList<>();
        rows = 0;
      }
      current.add(v);
      rows += v.rows().rows();
    }
    if (!current.isEmpty()) {
      chunks.add(current);
    }
    return chunks;
  }

  /** Predicts a chunk in one call; on failure, each request alone. Returns how many failed. */
  private int predict(List<QueueRequest.Valid> chunk, Map<Message, Outgoing> out, Tally t)
      throws InterruptedException {
    int[] sizes = new int[chunk.size()];
    List<FeatureBatch> parts = new ArrayList<>(chunk.size());
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = chunk.get(i).rows().rows();
      parts.add(chunk.get(i).rows());
    }
    FeatureBatch all = FeatureBatch.concat(parts);
    Exception last = null;
    for (int attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        t.retries++;
        sleeper.sleep(backoff.multipliedBy(attempt));
      }
      try {
        t.calls++;
        List<Prediction> answers = model.predict(all).split(sizes);
        t.rows += all.rows();
        for (int i = 0; i < sizes.length; i++) {
          out.put(chunk.get(i).message(), reply(chunk.get(i), answers.get(i)));
        }
        return 0;
      } catch (Exception e) {
        last = e;
      }
    }
    if (chunk.size() == 1) {
      out.put(chunk.get(0).message(), modelFailure(chunk.get(0).message(), last));
      return 1;
    }
    int failed = 0;
    for (QueueRequest.Valid v : chunk) {
      try {
        t.calls++;
        Prediction p = model.predict(v.rows());
        t.rows += v.rows().rows();
        out.put(v.message(), reply(v, p));
      } catch (Exception e) {
        out.put(v.message(), modelFailure(v.message(), e));
        failed++;
      }
    }
    return failed;
  }

  /**
   * One v2 request (tensors are not batched, as over HTTP). Returns false when the model failed on
   * it; a request refused at inference counts as invalid.
   */
  private boolean infer(QueueRequest.Valid v, Map<Message, Outgoing> out, Tally t)
      throws InterruptedException {
    Exception last = null;
    for (int attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        t.retries++;
        sleeper.sleep(backoff.multipliedBy(attempt));
      }
      try {
        t.calls++;
        byte[] body = writer.v2(v.v2().id(), model.infer(v.v2().inputs(), v.v2().outputs()));
        out.put(v.message(), ok(v.message(), body));
        return true;
      } catch (ApiException e) {
        // A v2 request can still be refused at inference (an output the model does not have).
        out.put(v.message(), deadLetter(v.message(), e));
        t.invalid++;
        return true;
      } catch (Exception e) {
        last = e;
      }
    }
    out.put(v.message(), modelFailure(v.message(), last));
    return false;
  }

  private Outgoing reply(QueueRequest.Valid v, Prediction p) {
    byte[] body =
        v.api() == Endpoint.V1_PREDICT
            ? writer.kserveV1(p)
            : writer.readable(p, v.root().isArray());
    return ok(v.message(), body);
  }

  private Outgoing ok(Message m, byte[] body) {
    return new Outgoing(m, false, body, QueueHeaders.reply(m, modelName, revision));
  }

  static Outgoing deadLetter(Message m, ApiException e) {
    return new Outgoing(m, true, m.value(), QueueHeaders.deadLetter(m, e));
  }

  static Outgoing modelFailure(Message m, Exception e) {
    String cause = e == null ? "unknown" : e.getClass().getSimpleName() + ": " + e.getMessage();
    return deadLetter(m, new ApiException(500, "the model failed on this request: " + cause));
  }
}
