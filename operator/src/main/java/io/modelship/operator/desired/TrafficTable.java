package io.modelship.operator.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.modelship.operator.api.MatchRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The route table the operator gives a ModelDeployment's router: the ready endpoints of the stable
 * and the candidate revision, the candidate's weight, the A/B rules and the mirrored share. {@link
 * #json()} is the body the router's {@code PUT /router/table} and {@code --table-file} take; it is
 * deterministic (sorted endpoints and keys), so an unchanged table gives the same bytes and is not
 * written again.
 *
 * <p>{@code version} orders tables: a router never replaces a table with an older one, so the table
 * file, which the kubelet refreshes up to a minute late, cannot undo a newer {@code PUT}. It
 * changes only when the content does ({@link #versioned}).
 *
 * <p>A side with no ready endpoint cannot take traffic: a candidate without one is left out (no
 * weight, no mirror); a stable without one leaves no usable table ({@link #of} returns null, and
 * the router keeps the table it has).
 */
public record TrafficTable(
    String stableRevision,
    List<String> stableEndpoints,
    String candidateRevision,
    List<String> candidateEndpoints,
    int candidateWeight,
    List<Map<String, String>> match,
    int mirrorPercent,
    long version) {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /**
   * @param endpoints ready {@code ip:port} endpoints per revision
   * @return the table, or null when the stable revision has no ready endpoint
   */
  public static TrafficTable of(
      String stable,
      String candidate,
      Map<String, List<String>> endpoints,
      int weight,
      List<MatchRule> match,
      int mirrorPercent) {
    List<String> s = sorted(endpoints.get(stable));
    if (stable == null || s.isEmpty()) {
      return null;
    }
    List<String> c = candidate == null ? List.of() : sorted(endpoints.get(candidate));
    if (c.isEmpty()) {
      return new TrafficTable(stable, s, null, List.of(), 0, List.of(), 0, 0);
    }
    List<Map<String, String>> rules = new ArrayList<>();
    if (match != null) {
      for (MatchRule r : match) {
        rules.add(new TreeMap<>(r.headers));
      }
    }
    return new TrafficTable(stable, s, candidate, c, weight, rules, mirrorPercent, 0);
  }

  /**
   * This table with its version: the version of {@code previousJson} (the table last written) when
   * the content is the same, so the same table keeps the same bytes; otherwise a newer one, {@code
   * nowMillis} or one more than the previous, whichever is larger.
   */
  public TrafficTable versioned(String previousJson, long nowMillis) {
    long previous = versionOf(previousJson);
    TrafficTable same = withVersion(previous);
    if (previousJson != null && same.json().equals(previousJson)) {
      return same;
    }
    return withVersion(Math.max(nowMillis, previous + 1));
  }

  TrafficTable withVersion(long v) {
    return new TrafficTable(
        stableRevision,
        stableEndpoints,
        candidateRevision,
        candidateEndpoints,
        candidateWeight,
        match,
        mirrorPercent,
        v);
  }

  /** The version in a table's JSON; 0 when there is none or it cannot be read. */
  static long versionOf(String json) {
    if (json == null) {
      return 0;
    }
    try {
      return JSON.readTree(json).path("version").asLong(0);
    } catch (JsonProcessingException e) {
      return 0;
    }
  }

  private static List<String> sorted(List<String> l) {
    return l == null ? List.of() : l.stream().sorted().distinct().toList();
  }

  /** The table as the router reads it. */
  public String json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("stable", urls(stableEndpoints));
    m.put("stableRevision", stableRevision);
    if (candidateRevision != null) {
      m.put("candidate", urls(candidateEndpoints));
      m.put("candidateRevision", candidateRevision);
      m.put("candidateWeight", candidateWeight);
      if (!match.isEmpty()) {
        List<Map<String, Object>> rules = new ArrayList<>();
        match.forEach(h -> rules.add(Map.of("headers", h)));
        m.put("match", rules);
      }
      m.put("mirrorPercent", mirrorPercent);
    }
    if (version != 0) {
      m.put("version", version);
    }
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String urls(List<String> endpoints) {
    return String.join(",", endpoints.stream().map(e -> "http://" + e).toList());
  }
}
