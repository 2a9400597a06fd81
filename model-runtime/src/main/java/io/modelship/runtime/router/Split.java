package io.modelship.runtime.router;

import java.util.function.Function;

/**
 * The routing decision for one request, a pure function of the route table, the request's headers
 * and its sequence number. With no session header the weights are met exactly, not on average: of
 * any 100 consecutive requests, exactly {@code candidateWeight} go to the candidate (and {@code
 * mirrorPercent} per 100 are picked for a mirror copy, which those the stable answers get), spread
 * evenly. A request with an {@code x-modelship-session} header is sticky instead: the same session
 * always lands on the same side for a given weight, and raising the weight only moves sessions from
 * the stable to the candidate, never back.
 */
public final class Split {
  /** The header that makes routing sticky. */
  public static final String SESSION_HEADER = "x-modelship-session";

  /** Which revision answers, and whether a copy goes to the candidate. */
  public enum Target {
    STABLE,
    CANDIDATE
  }

  /** The decision: who answers, and whether the request is mirrored to the candidate. */
  public record Decision(Target target, boolean mirror) {}

  public static final Decision STABLE = new Decision(Target.STABLE, false);
  private static final Decision STABLE_MIRRORED = new Decision(Target.STABLE, true);
  public static final Decision CANDIDATE = new Decision(Target.CANDIDATE, false);

  private Split() {}

  /**
   * @param headers the request's header values by lower-case name ({@code null} when absent)
   * @param sequence this request's number, counting from 0, among the requests the router saw
   */
  public static Decision decide(RouteTable t, Function<String, String> headers, long sequence) {
    if (t.candidate() == null) {
      return STABLE;
    }
    for (RouteTable.MatchRule rule : t.match()) {
      if (rule.matches(headers)) {
        return CANDIDATE;
      }
    }
    String session = headers.apply(SESSION_HEADER);
    boolean candidate =
        session != null
            ? bucket(session) < t.candidateWeight()
            : hit(sequence, t.candidateWeight());
    if (candidate) {
      return CANDIDATE;
    }
    // The mirror counts among the stable's requests only: the k-th request the stable answers
    // is the one numbered sequence minus the candidate's share before it.
    return t.mirrorPercent() > 0
            && hit(sequence - hits(sequence, t.candidateWeight()), t.mirrorPercent())
        ? STABLE_MIRRORED
        : STABLE;
  }

  /** How many of the requests numbered 0 to n-1 are hits at {@code percent}. */
  static long hits(long n, int percent) {
    return Math.floorDiv(n, 100) * percent + Math.floorMod(n, 100) * percent / 100;
  }

  /**
   * Whether request {@code n} is one of the {@code percent} per 100: true when {@code
   * floor((n+1)p/100)} passes an integer, which spreads the hits evenly (p=25: every 4th).
   */
  static boolean hit(long n, int percent) {
    long m = Math.floorMod(n, 100);
    return (m + 1) * percent / 100 > m * percent / 100;
  }

  /** A session's bucket, 0-99, from a well-mixed hash of its id (stable across restarts). */
  static int bucket(String session) {
    long h = 0xcbf29ce484222325L; // FNV-1a, then a finaliser so short ids spread over 0-99 too
    for (int i = 0; i < session.length(); i++) {
      h ^= session.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (int) Math.floorMod(h, 100L);
  }
}
