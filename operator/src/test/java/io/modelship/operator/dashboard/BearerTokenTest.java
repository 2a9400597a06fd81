package io.modelship.operator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BearerTokenTest {

  @Test
  void takesTheTokenOfABearerHeader() {
    assertThat(BearerToken.from("Bearer eyJhbGciOi.eyJpc3Mi.c2ln-_"))
        .hasValue("eyJhbGciOi.eyJpc3Mi.c2ln-_");
    assertThat(BearerToken.from("bearer abc==")).hasValue("abc==");
    assertThat(BearerToken.from("  Bearer   abc  ")).hasValue("abc");
  }

  @Test
  void noHeaderOrAnotherSchemeIsNoToken() {
    assertThat(BearerToken.from(null)).isEmpty();
    assertThat(BearerToken.from("")).isEmpty();
    assertThat(BearerToken.from("Bearer")).isEmpty();
    assertThat(BearerToken.from("Bearer ")).isEmpty();
    assertThat(BearerToken.from("Basic dXNlcjpwYXNz")).isEmpty();
    assertThat(BearerToken.from("abc")).isEmpty();
  }

  @Test
  void malformedTokensAreRefusedNotPassedOn() {
    assertThat(BearerToken.from("Bearer a b")).isEmpty();
    assertThat(BearerToken.from("Bearer a\r\nX-Injected: 1")).isEmpty();
    assertThat(BearerToken.from("Bearer \"quoted\"")).isEmpty();
    assertThat(BearerToken.from("Bearer " + "a".repeat(16 * 1024 + 1))).isEmpty();
  }
}
