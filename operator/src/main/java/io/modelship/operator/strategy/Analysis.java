package io.modelship.operator.strategy;

import io.modelship.operator.api.AnalysisSpec;
import io.modelship.operator.api.AnalysisStatus;
import io.modelship.operator.api.OnNoData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The analysis gates of a rollout: a pure verdict on what the router counted for the candidate and
 * the stable revision over one window. A gate never decides on fewer samples than {@code
 * minSamples}: with too few, the verdict is {@link Outcome#NO_DATA}, which {@link #resolve(Verdict,
 * OnNoData)} turns into a pause, a failure or a pass as the spec says.
 */
public final class Analysis {
  /** Default of {@code minSamples}. */
  public static final int DEFAULT_MIN_SAMPLES = 100;

  /**
   * Upper bounds of the router's latency buckets, in milliseconds; a last bucket holds the rest.
   */
  public static final double[] BUCKETS_MS = {
    0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000
  };

  private Analysis() {}

  /** What one revision's counters grew by over a window. */
  public record Window(
      long requests,
      long errors,
      long[] latencyBuckets,
      long agreed,
      long disagreed,
      Map<String, Long> labels) {

    public static Window empty() {
      return new Window(0, 0, new long[BUCKETS_MS.length + 1], 0, 0, Map.of());
    }

    /**
     * The growth from {@code before} to {@code after}. Counters only grow while a router runs; if
     * any went down, the router restarted in between and {@code after} alone is the window.
     */
    public static Window between(Window before, Window after) {
      if (before == null || shrank(before, after)) {
        return after;
      }
      long[] buckets = new long[after.latencyBuckets.length];
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] =
            after.latencyBuckets[i]
                - (i < before.latencyBuckets.length ? before.latencyBuckets[i] : 0);
      }
      Map<String, Long> labels = new HashMap<>();
      after.labels.forEach((k, v) -> labels.put(k, v - before.labels.getOrDefault(k, 0L)));
      return new Window(
          after.requests - before.requests,
          after.errors - before.errors,
          buckets,
          after.agreed - before.agreed,
          after.disagreed - before.disagreed,
          labels);
    }

    private static boolean shrank(Window b, Window a) {
      if (a.requests < b.requests
          || a.errors < b.errors
          || a.agreed < b.agreed
          || a.disagreed < b.disagreed
          || a.latencyBuckets.length != b.latencyBuckets.length) {
        return true;
      }
      for (int i = 0; i < a.latencyBuckets.length; i++) {
        if (a.latencyBuckets[i] < b.latencyBuckets[i]) {
          return true;
        }
      }
      for (var e : b.labels.entrySet()) {
        if (a.labels.getOrDefault(e.getKey(), 0L) < e.getValue()) {
          return true;
        }
      }
      return false;
    }

    /** The upper bound of the bucket holding quantile {@code q}, in ms; NaN when empty. */
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

  /** A gate's verdict. */
  public enum Outcome {
    PASS,
    FAIL,
    NO_DATA
  }

  /**
   * The verdict, why (one sentence per failed gate, or what is missing), and the figures for {@code
   * status.analysis}.
   */
  public record Verdict(Outcome outcome, List<String> reasons, AnalysisStatus figures) {}

  /** Evaluates every gate the spec sets on the candidate's window, against the stable's. */
  public static Verdict evaluate(AnalysisSpec spec, Window candidate, Window stable) {
    int min = spec.minSamples == null ? DEFAULT_MIN_SAMPLES : spec.minSamples;
    AnalysisStatus figures = new AnalysisStatus();
    figures.samples = candidate.requests();
    List<String> failed = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    if (candidate.requests() < min) {
      missing.add(candidate.requests() + " of " + min + " requests to the candidate");
    } else {
      double errorRate = (double) candidate.errors() / candidate.requests();
      figures.errorRate = round(errorRate);
      if (spec.maxErrorRate != null && errorRate > spec.maxErrorRate) {
        failed.add(
            "error rate " + pct(errorRate) + " is above the limit of " + pct(spec.maxErrorRate));
      }
      double p99 = candidate.quantileMillis(0.99);
      figures.latencyP99Ms = Double.isFinite(p99) ? p99 : null;
      if (spec.maxLatencyP99Ms != null && !(p99 <= spec.maxLatencyP99Ms)) {
        failed.add(
            "p99 latency "
                + (Double.isFinite(p99) ? "≤ " + fmt(p99) + " ms" : "over 5 s")
                + " is above the limit of "
                + fmt(spec.maxLatencyP99Ms)
                + " ms");
      }
    }
    if (spec.minAgreement != null) {
      long compared = candidate.agreed() + candidate.disagreed();
      if (compared < min) {
        missing.add(compared + " of " + min + " compared mirrored answers");
      } else {
        double agreement = (double) candidate.agreed() / compared;
        figures.agreement = round(agreement);
        if (agreement < spec.minAgreement) {
          failed.add(
              "agreement with the stable revision "
                  + pct(agreement)
                  + " is below the minimum of "
                  + pct(spec.minAgreement));
        }
      }
    }
    if (spec.maxLabelShift != null) {
      long c = sum(candidate.labels());
      long s = sum(stable.labels());
      if (c < min || s < min) {
        missing.add(
            "labels of " + Math.min(c, s) + " of " + min + " answers on each side to compare");
      } else {
        double shift = labelShift(candidate.labels(), stable.labels());
        figures.labelShift = round(shift);
        if (shift > spec.maxLabelShift) {
          failed.add(
              "label distribution shifted by "
                  + pct(shift)
                  + " from the stable revision's, above the limit of "
                  + pct(spec.maxLabelShift));
        }
      }
    }
    if (!failed.isEmpty()) {
      return new Verdict(Outcome.FAIL, failed, figures);
    }
    if (!missing.isEmpty()) {
      return new Verdict(
          Outcome.NO_DATA, missing.stream().map(m -> "waiting for " + m).toList(), figures);
    }
    return new Verdict(Outcome.PASS, List.of(), figures);
  }

  /**
   * What a verdict means for the rollout: NO_DATA becomes what {@code onNoData} says (Pause, the
   * default, keeps it NO_DATA: the rollout waits).
   */
  public static Outcome resolve(Verdict v, OnNoData onNoData) {
    if (v.outcome() != Outcome.NO_DATA || onNoData == null || onNoData == OnNoData.Pause) {
      return v.outcome();
    }
    return onNoData == OnNoData.Fail ? Outcome.FAIL : Outcome.PASS;
  }

  /**
   * Total variation distance between two label distributions: half the sum of the absolute
   * differences of their shares, 0 (the same) to 1 (no label in common).
   */
  static double labelShift(Map<String, Long> a, Map<String, Long> b) {
    double ta = sum(a);
    double tb = sum(b);
    Set<String> keys = new HashSet<>(a.keySet());
    keys.addAll(b.keySet());
    double d = 0;
    for (String k : keys) {
      d += Math.abs(a.getOrDefault(k, 0L) / ta - b.getOrDefault(k, 0L) / tb);
    }
    return d / 2;
  }

  private static long sum(Map<String, Long> m) {
    long s = 0;
    for (long v : m.values()) {
      s += Math.max(0, v);
    }
    return s;
  }

  private static double round(double v) {
    return Math.round(v * 10000) / 10000.0;
  }

  private static String pct(double v) {
    return fmt(v * 100) + " %";
  }

  private static String fmt(double v) {
    return v == Math.rint(v)
        ? Long.toString((long) v)
        : String.format(java.util.Locale.ROOT, "%.2f", v);
  }
}
