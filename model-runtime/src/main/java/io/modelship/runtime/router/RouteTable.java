package io.modelship.runtime.router;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Where the router sends traffic: the stable revision always, a candidate revision for {@code
 * candidateWeight} percent of requests (and for every request that matches one of the A/B rules),
 * and a copy of {@code mirrorPercent} percent of the stable's requests to the candidate (Shadow).
 *
 * @param stable the stable revision's name, reported in {@code x-modelship-revision}
 * @param candidate the candidate revision's name, or {@code null} when there is none
 * @param candidateWeight 0 to 100: the share of requests the candidate answers
 * @param match A/B rules: a request that matches any of them goes to the candidate; empty for none
 * @param mirrorPercent 0 to 100: the share of stable-answered requests also sent to the candidate,
 *     whose answer is compared and dropped
 */
public record RouteTable(
    String stable,
    String candidate,
    int candidateWeight,
    List<MatchRule> match,
    int mirrorPercent) {

  public RouteTable {
    match = match == null ? List.of() : List.copyOf(match);
  }

  /**
   * An A/B rule: a request matches when every one of these headers has exactly this value. Header
   * names are case-insensitive, as in HTTP.
   */
  public record MatchRule(Map<String, String> headers) {
    public MatchRule {
      Map<String, String> lower = new TreeMap<>();
      headers.forEach((k, v) -> lower.put(k.strip().toLowerCase(), v));
      headers = Collections.unmodifiableMap(lower);
    }

    /**
     * Parses {@code name=value[,name=value...]}: one rule, all of whose headers must match.
     *
     * @throws IllegalArgumentException naming the part that is not {@code name=value}
     */
    public static MatchRule parse(String spec) {
      Map<String, String> h = new LinkedHashMap<>();
      for (String part : spec.split(",")) {
        int eq = part.indexOf('=');
        if (eq <= 0 || eq == part.length() - 1 || part.substring(0, eq).isBlank()) {
          throw new IllegalArgumentException(
              "a header match is name=value[,name=value], e.g. x-user-group=beta (got "
                  + spec
                  + ")");
        }
        h.put(part.substring(0, eq), part.substring(eq + 1));
      }
      return new MatchRule(h);
    }

    /** Whether a request with these headers (by lower-case name) matches. */
    public boolean matches(Function<String, String> requestHeaders) {
      for (var e : headers.entrySet()) {
        if (!e.getValue().equals(requestHeaders.apply(e.getKey()))) {
          return false;
        }
      }
      return !headers.isEmpty();
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder();
      headers.forEach(
          (k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append('=').append(v));
      return b.toString();
    }
  }

  /** Only the stable revision: every request goes there. */
  public static RouteTable stableOnly(String stable) {
    return new RouteTable(stable, null, 0, List.of(), 0);
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
    if (candidate == null && (candidateWeight > 0 || !match.isEmpty() || mirrorPercent > 0)) {
      p.add("a candidate weight, header match or mirror needs a candidate revision");
    }
    if (candidate != null && candidate.equals(stable)) {
      p.add("the candidate and the stable revision are the same (" + stable + ")");
    }
    for (MatchRule r : match) {
      if (r.headers().isEmpty()) {
        p.add("a match rule needs at least one header");
      }
    }
    return p;
  }
}
