package io.modelship.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The limits that keep a flood from exhausting the heap. */
class LimitsTest {

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
  }
}
