package io.modelship.runtime.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.runtime.router.RouteTable.MatchRule;
import io.modelship.runtime.router.Split.Decision;
import io.modelship.runtime.router.Split.Target;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SplitTest {
  private static final Function<String, String> NO_HEADERS = name -> null;

  private static RouteTable canary(int weight) {
    return new RouteTable("v1", "v2", weight, List.of(), 0);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 5, 10, 25, 33, 50, 67, 90, 99, 100})
  void everyBlockOfHundredRequestsMeetsTheWeightExactly(int weight) {
    for (long block = 0; block < 5; block++) {
      int toCandidate = 0;
      for (long n = block * 100; n < block * 100 + 100; n++) {
        if (Split.decide(canary(weight), NO_HEADERS, n).target() == Target.CANDIDATE) {
          toCandidate++;
        }
      }
      assertThat(toCandidate).as("block %d", block).isEqualTo(weight);
    }
  }

  @Test
  void aRuleMatchesOnlyWhenAllItsHeadersDoAndAnyRuleIsEnough() {
    RouteTable ab =
        new RouteTable(
            "v1",
            "v2",
            0,
            List.of(MatchRule.parse("x-group=beta,X-Region=eu"), MatchRule.parse("x-tester=yes")),
            0);
    Map<String, String> both = Map.of("x-group", "beta", "x-region", "eu");
    Map<String, String> half = Map.of("x-group", "beta");
    Map<String, String> other = Map.of("x-tester", "yes");
    assertThat(Split.decide(ab, both::get, 0).target()).isEqualTo(Target.CANDIDATE);
    assertThat(Split.decide(ab, half::get, 0).target()).isEqualTo(Target.STABLE);
    assertThat(Split.decide(ab, other::get, 0).target()).isEqualTo(Target.CANDIDATE);
    assertThat(ab.match().get(0).headers()).containsOnlyKeys("x-group", "x-region");
  }

  @Test
  void candidateRequestsAreSpreadNotBunched() {
    // 25 %: every fourth request, never two in a row.
    int run = 0;
    for (long n = 0; n < 400; n++) {
      boolean c = Split.decide(canary(25), NO_HEADERS, n).target() == Target.CANDIDATE;
      run = c ? run + 1 : 0;
      assertThat(run).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void withoutACandidateEverythingGoesToStableUnmirrored() {
    for (long n = 0; n < 200; n++) {
      assertThat(Split.decide(RouteTable.stableOnly("v1"), NO_HEADERS, n))
          .isEqualTo(new Decision(Target.STABLE, false));
    }
  }

  @Test
  void theHeaderMatchAlwaysGoesToTheCandidateAndOthersFollowTheWeight() {
    RouteTable ab = new RouteTable("v1", "v2", 0, List.of(MatchRule.parse("X-User-Group=beta")), 0);
    Map<String, String> beta = Map.of("x-user-group", "beta");
    Map<String, String> alpha = Map.of("x-user-group", "alpha");
    for (long n = 0; n < 300; n++) {
      assertThat(Split.decide(ab, beta::get, n).target()).isEqualTo(Target.CANDIDATE);
      assertThat(Split.decide(ab, alpha::get, n).target()).isEqualTo(Target.STABLE);
      assertThat(Split.decide(ab, NO_HEADERS, n).target()).isEqualTo(Target.STABLE);
    }
  }

  @Test
  void aSessionAlwaysLandsOnTheSameSideAndRaisingTheWeightOnlyMovesSessionsToTheCandidate() {
    Map<String, Target> at30 = new HashMap<>();
    int toCandidate = 0;
    for (int s = 0; s < 2000; s++) {
      Map<String, String> h = Map.of(Split.SESSION_HEADER, "user-" + s);
      Target first = Split.decide(canary(30), h::get, s).target();
      for (long n = 0; n < 5; n++) {
        assertThat(Split.decide(canary(30), h::get, n * 7919).target()).isEqualTo(first);
      }
      at30.put("user-" + s, first);
      if (first == Target.CANDIDATE) {
        toCandidate++;
      }
    }
    // Sessions spread over the buckets: 30 % +- 3 % of 2,000 sessions.
    assertThat(toCandidate).isBetween(540, 660);
    at30.forEach(
        (session, target) -> {
          if (target == Target.CANDIDATE) {
            Map<String, String> h = Map.of(Split.SESSION_HEADER, session);
            assertThat(Split.decide(canary(60), h::get, 0).target()).isEqualTo(Target.CANDIDATE);
          }
        });
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 10, 20, 50, 100})
  void mirrorCopiesItsShareOfTheStablesRequestsWhateverTheWeight(int percent) {
    RouteTable shadow = new RouteTable("v1", "v2", 0, List.of(), percent);
    RouteTable both = new RouteTable("v1", "v2", percent == 100 ? 0 : percent, List.of(), percent);
    int mirrored = 0;
    int mirroredWithWeight = 0;
    for (long n = 0; n < 1000; n++) {
      Decision d = Split.decide(shadow, NO_HEADERS, n);
      assertThat(d.target()).isEqualTo(Target.STABLE);
      mirrored += d.mirror() ? 1 : 0;
      Decision e = Split.decide(both, NO_HEADERS, n);
      mirroredWithWeight += e.mirror() ? 1 : 0;
      assertThat(e.mirror() && e.target() == Target.CANDIDATE).isFalse();
    }
    assertThat(mirrored).isEqualTo(10 * percent);
    if (percent < 100) {
      // Of the stable's (100 - percent) per 100 requests, percent per 100 are mirrored.
      assertThat(mirroredWithWeight).isEqualTo((1000 - 10 * percent) * percent / 100);
    }
  }

  @Test
  void tableProblemsAreNamed() {
    assertThat(new RouteTable("v1", null, 10, List.of(), 0).problems())
        .containsExactly("a candidate weight, header match or mirror needs a candidate revision");
    assertThat(new RouteTable("v1", "v1", 10, List.of(), 0).problems())
        .containsExactly("the candidate and the stable revision are the same (v1)");
    assertThat(new RouteTable("v1", "v2", 101, List.of(), -1).problems()).hasSize(2);
    assertThat(canary(10).problems()).isEmpty();
  }
}
