package io.modelship.runtime.router;

import io.modelship.runtime.router.RouteTable.MatchRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a routing decision reads, swapped as a whole (one volatile reference) so that a
 * request sees one consistent table: the route table, the endpoints of each side, and the counters
 * of each side. Counters are kept across swaps of the same revision, so a weight change does not
 * reset the analysis.
 */
public record RouterState(
    RouteTable table,
    Backend stable,
    Backend candidate,
    RevisionCounters stableCounters,
    RevisionCounters candidateCounters,
    long version) {

  /**
   * The same state under a table version: a table carries one when the operator wrote it, and an
   * older one never replaces a newer (0: none, as from the flags).
   */
  public RouterState withVersion(long v) {
    return new RouterState(table, stable, candidate, stableCounters, candidateCounters, v);
  }

  /**
   * Builds a state from flag-style settings; throws IllegalArgumentException with every problem
   * when they are not usable.
   */
  public static RouterState of(
      String stableUrls,
      String candidateUrls,
      String stableRevision,
      String candidateRevision,
      int weight,
      String matchHeader,
      List<Map<String, String>> matchRules,
      int mirrorPercent,
      RouterState previous) {
    List<String> problems = new ArrayList<>();
    Backend stable = null;
    Backend candidate = null;
    List<MatchRule> match = new ArrayList<>();
    if (stableUrls == null || stableUrls.isBlank()) {
      problems.add("--stable: the stable revision's endpoints are required (http://host:port,...)");
    } else {
      try {
        stable = Backend.parse(stableUrls);
      } catch (IllegalArgumentException e) {
        problems.add("--stable: " + e.getMessage());
      }
    }
    if (candidateUrls != null && !candidateUrls.isBlank()) {
      try {
        candidate = Backend.parse(candidateUrls);
      } catch (IllegalArgumentException e) {
        problems.add("--candidate: " + e.getMessage());
      }
    }
    if (matchHeader != null && !matchHeader.isBlank()) {
      try {
        match.add(MatchRule.parse(matchHeader));
      } catch (IllegalArgumentException e) {
        problems.add("--match-header: " + e.getMessage());
      }
    }
    if (matchRules != null) {
      for (Map<String, String> headers : matchRules) {
        match.add(new MatchRule(headers == null ? Map.of() : headers));
      }
    }
    boolean hasCandidate = candidateUrls != null && !candidateUrls.isBlank();
    RouteTable table =
        new RouteTable(
            stableRevision, hasCandidate ? candidateRevision : null, weight, match, mirrorPercent);
    problems.addAll(table.problems());
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return new RouterState(
        table,
        stable,
        candidate,
        counters(previous == null ? null : previous.stableCounters(), stableRevision),
        hasCandidate
            ? counters(previous == null ? null : previous.candidateCounters(), candidateRevision)
            : null,
        0);
  }

  private static RevisionCounters counters(RevisionCounters previous, String revision) {
    return previous != null && previous.revision().equals(revision)
        ? previous
        : new RevisionCounters(revision);
  }

  /** The state as {@code /stats} shows it. */
  public Map<String, Object> describe(long mirrorDropped) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("stable", table.stable());
    t.put("candidate", table.candidate());
    t.put("candidateWeight", table.candidateWeight());
    t.put("match", table.match().stream().map(r -> r.headers()).toList());
    t.put("mirrorPercent", table.mirrorPercent());
    t.put("version", version);
    out.put("table", t);
    out.put("stable", side(stableCounters.snapshot(), stable));
    out.put(
        "candidate",
        candidateCounters == null ? null : side(candidateCounters.snapshot(), candidate));
    out.put("mirrorDropped", mirrorDropped);
    return out;
  }

  private static Map<String, Object> side(RevisionCounters.Snapshot s, Backend backend) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("revision", s.revision());
    m.put("endpoints", backend.endpoints().stream().map(Object::toString).toList());
    m.put("requests", s.requests());
    m.put("errors", s.errors());
    m.put("errorRate", finite(s.errorRate()));
    m.put("latencyP50Ms", finite(s.quantileMillis(0.5)));
    m.put("latencyP99Ms", finite(s.quantileMillis(0.99)));
    Map<String, Long> buckets = new LinkedHashMap<>();
    long[] counts = s.latencyBuckets();
    for (int i = 0; i < counts.length; i++) {
      buckets.put(
          i < RevisionCounters.BUCKETS_MS.length ? "le" + RevisionCounters.BUCKETS_MS[i] : "inf",
          counts[i]);
    }
    m.put("latencyBucketsMs", buckets);
    m.put("mirrored", s.mirrored());
    m.put("agreed", s.agreed());
    m.put("disagreed", s.disagreed());
    m.put("incomparable", s.incomparable());
    m.put("agreement", finite(s.agreement()));
    m.put("labels", s.labels());
    return m;
  }

  /** JSON has no NaN or infinity: those become null. */
  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
