package io.modelship.runtime.router;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the router saw of one revision: requests it answered, errors (5xx, timeouts, failed
 * connections), a latency histogram, the labels it answered, and for the candidate the mirrored
 * comparisons. Counters only grow; analysis compares two snapshots. Thread-safe and lock-free.
 */
public final class RevisionCounters {
  /** Upper bounds of the latency buckets, in milliseconds; a last bucket holds the rest. */
  public static final double[] BUCKETS_MS = {
    0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000
  };

  /** Distinct labels counted before the rest go into {@link #OTHER_LABEL}. */
  static final int MAX_LABELS = 64;

  static final String OTHER_LABEL = "(other)";

  private final String revision;
  private final LongAdder requests = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder[] latency = new LongAdder[BUCKETS_MS.length + 1];
  private final LongAdder latencyNanos = new LongAdder();
  private final LongAdder mirrored = new LongAdder();
  private final LongAdder agreed = new LongAdder();
  private final LongAdder disagreed = new LongAdder();
  private final LongAdder incomparable = new LongAdder();
  private final Map<String, LongAdder> labels = new ConcurrentHashMap<>();

  public RevisionCounters(String revision) {
    this.revision = revision;
    for (int i = 0; i < latency.length; i++) {
      latency[i] = new LongAdder();
    }
  }

  public String revision() {
    return revision;
  }

  /**
   * One answered request: its status (or 0 when no response came: a timeout or a failed
   * connection), how long it took, and its decisions (labels are counted; may be null).
   */
  public void answered(int status, long nanos, List<Object> decisions) {
    requests.increment();
    if (status == 0 || status >= 500) {
      errors.increment();
    }
    latency[bucket(nanos)].increment();
    latencyNanos.add(nanos);
    if (decisions != null) {
      for (Object d : decisions) {
        if (d instanceof String label) {
          label(label);
        }
      }
    }
  }

  /** One mirrored request's comparison with the stable answer. */
  public void mirrored(Answers.Comparison comparison) {
    mirrored.increment();
    switch (comparison) {
      case AGREE -> agreed.increment();
      case DISAGREE -> disagreed.increment();
      case INCOMPARABLE -> incomparable.increment();
    }
  }

  private void label(String label) {
    LongAdder a = labels.get(label);
    if (a == null) {
      a = labels.size() < MAX_LABELS ? labels.computeIfAbsent(label, k -> new LongAdder()) : null;
      if (a == null) {
        a = labels.computeIfAbsent(OTHER_LABEL, k -> new LongAdder());
      }
    }
    a.increment();
  }

  static int bucket(long nanos) {
    double ms = nanos / 1e6;
    for (int i = 0; i < BUCKETS_MS.length; i++) {
      if (ms <= BUCKETS_MS[i]) {
        return i;
      }
    }
    return BUCKETS_MS.length;
  }

  public Snapshot snapshot() {
    long[] hist = new long[latency.length];
    for (int i = 0; i < hist.length; i++) {
      hist[i] = latency[i].sum();
    }
    Map<String, Long> l = new TreeMap<>();
    labels.forEach((k, v) -> l.put(k, v.sum()));
    return new Snapshot(
        revision,
        requests.sum(),
        errors.sum(),
        hist,
        latencyNanos.sum(),
        mirrored.sum(),
        agreed.sum(),
        disagreed.sum(),
        incomparable.sum(),
        l);
  }

  /** The counters at one moment. */
  public record Snapshot(
      String revision,
      long requests,
      long errors,
      long[] latencyBuckets,
      long latencyNanos,
      long mirrored,
      long agreed,
      long disagreed,
      long incomparable,
      Map<String, Long> labels) {

    /** Errors per request, or NaN with no requests. */
    public double errorRate() {
      return requests == 0 ? Double.NaN : (double) errors / requests;
    }

    /** Agreeing mirrored answers among the comparable ones, or NaN with none. */
    public double agreement() {
      long compared = agreed + disagreed;
      return compared == 0 ? Double.NaN : (double) agreed / compared;
    }

    /**
     * The latency below which {@code q} of the requests fell, as the upper bound of its bucket (an
     * over-estimate by at most one bucket), in milliseconds; NaN with no requests, infinite when it
     * lies beyond the last bound.
     */
    public double quantileMillis(double q) {
      long total = 0;
      for (long c : latencyBuckets) {
        total += c;
      }
      if (total == 0) {
        return Double.NaN;
      }
      long rank = (long) Math.ceil(q * total);
      long seen = 0;
      for (int i = 0; i < latencyBuckets.length; i++) {
        seen += latencyBuckets[i];
        if (seen >= rank) {
          return i < BUCKETS_MS.length ? BUCKETS_MS[i] : Double.POSITIVE_INFINITY;
        }
      }
      return Double.POSITIVE_INFINITY;
    }
  }
}
