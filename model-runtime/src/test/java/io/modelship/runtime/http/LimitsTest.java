package io.modelship.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The budgets and limits that keep a flood from exhausting the heap. */
class LimitsTest {

  @Test
  void aRequestClaimsItsDeclaredLengthOrTheLargestBodyWhenItDeclaresNone() {
    assertThat(BodyBudget.claim("120", 1000)).isEqualTo(120);
    assertThat(BodyBudget.claim(" 0 ", 1000)).isZero();
    assertThat(BodyBudget.claim(null, 1000)).as("chunked").isEqualTo(1000);
    assertThat(BodyBudget.claim("lots", 1000)).isEqualTo(1000);
    assertThat(BodyBudget.claim("5000", 1000)).isEqualTo(1000);
  }

  @Test
  void requestsBeyondTheBudgetAreRefusedUntilOthersAreAnswered() {
    BodyBudget b = new BodyBudget(1000);
    assertThat(b.tryHold(600)).isTrue();
    assertThat(b.tryHold(400)).isTrue();
    assertThat(b.tryHold(1)).isFalse();
    b.release(600);
    assertThat(b.tryHold(500)).isTrue();
    assertThat(b.held()).isEqualTo(900);
  }

  @Test
  void aBodyLargerThanTheBudgetIsLetInWhenNothingElseIsHeld() {
    BodyBudget b = new BodyBudget(100);
    assertThat(b.tryHold(5000)).isTrue();
    assertThat(b.tryHold(1)).isFalse();
    b.release(5000);
    assertThat(b.tryHold(1)).isTrue();
  }

  @Test
  void connectionsBeyondTheLimitAreRefusedUntilOthersClose() {
    ConnectionLimit limit = new ConnectionLimit(2);
    assertThat(limit.tryOpen()).isTrue();
    assertThat(limit.tryOpen()).isTrue();
    assertThat(limit.tryOpen()).isFalse();
    limit.closed();
    assertThat(limit.tryOpen()).isTrue();
    assertThat(limit.open()).isEqualTo(2);
  }

  @Test
  void theDefaultsFollowTheHeap() {
    long mib = 1024 * 1024;
    assertThat(HeapDefaults.maxConnections(128 * mib)).isEqualTo(2048);
    assertThat(HeapDefaults.maxConnections(256 * mib)).isEqualTo(4096);
    assertThat(HeapDefaults.maxConnections(8 * mib)).as("never below").isEqualTo(256);
    assertThat(HeapDefaults.bufferedBodyBytes(128 * mib)).isEqualTo(8 * mib);
  }
}
