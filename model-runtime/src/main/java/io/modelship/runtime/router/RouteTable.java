package io.modelship.runtime.router;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the router sends traffic: the stable revision always, a candidate revision for {@code
 * candidateWeight} percent of requests (and for every request that carries the A/B header), and a
 * copy of {@code mirrorPercent} percent of the stable's requests to the candidate (Shadow).
 *
 * @param stable the stable revision's name, reported in {@code x-modelship-revision}
 * @param candidate the candidate revision's name, or {@code null} when there is none
 * @param candidateWeight 0 to 100: the share of requests the candidate answers
 * @param match requests with this header value always go to the candidate, or {@code null}
 * @param mirrorPercent 0 to 100: the share of stable-answered requests also sent to the candidate,
 *     whose answer is compared and dropped
 */
public record RouteTable(
    String stable, String candidate, int candidateWeight, HeaderMatch match, int mirrorPercent) {

  /** An A/B rule: requests whose header {@code name} equals {@code value} go to the candidate. */
  public record HeaderMatch(String name, String value) {
    /** Parses {@code name=value}; the name is case-insensitive, as HTTP header names are. */
    public static HeaderMatch parse(String spec) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new IllegalArgumentException(
            "a header match is name=value, e.g. x-user-group=beta (got " + spec + ")");
      }
      return new HeaderMatch(spec.substring(0, eq).strip().toLowerCase(), spec.substring(eq + 1));
    }

    @Override
    public String toString() {
      return name + "=" + value;
    }
  }

  /** Only the stable revision: every request goes there. */
  public static RouteTable stableOnly(String stable) {
    return new RouteTable(stable, null, 0, null, 0);
  }

  /** What is wrong with this table, one sentence per problem; empty when it is usable. */
  public List<String> problems() {
    List<String> p = new ArrayList<>();
    if (stable == null || stable.isBlank()) {
      p.add("a stable revision is required");
    }
    if (candidateWeight < 0 || candidateWeight > 100) {
      p.add("the candidate weight must be 0-100 (got " + candidateWeight + ")");
    }
    if (mirrorPercent < 0 || mirrorPercent > 100) {
      p.add("the mirror percentage must be 0-100 (got " + mirrorPercent + ")");
    }
    if (candidate == null && (candidateWeight > 0 || match != null || mirrorPercent > 0)) {
      p.add("a candidate weight, header match or mirror needs a candidate revision");
    }
    if (candidate != null && candidate.equals(stable)) {
      p.add("the candidate and the stable revision are the same (" + stable + ")");
    }
    return p;
  }
}
