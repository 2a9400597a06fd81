package io.modelship.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelship.runtime.http.ReadClock.Phase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReadClockTest {
  static final ReadTimeouts LIMITS =
      new ReadTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));

  static long s(double seconds) {
    return (long) (seconds * 1e9);
  }

  @Test
  void aNewConnectionMustSendItsFirstHeadersWithinTheHeaderTimeout() {
    ReadClock c = ReadClock.opened(s(0));
    assertThat(c.overdue(s(9.9), LIMITS)).isFalse();
    assertThat(c.overdue(s(10), LIMITS)).isTrue();
    assertThat(c.canAnswer()).as("it sent nothing: closed without a 408").isFalse();
  }

  @Test
  void bytesTricklingInDoNotExtendTheHeaderDeadline() {
    ReadClock c = ReadClock.opened(s(0));
    for (int second = 1; second < 10; second++) {
      c = c.bytesArrived(s(second));
    }
    assertThat(c.phase()).isEqualTo(Phase.HEADERS);
    assertThat(c.overdue(s(10), LIMITS)).isTrue();
    assertThat(c.canAnswer()).as("part of a request came: it gets a 408").isTrue();
  }

  @Test
  void theBodyHasItsOwnDeadlineFromTheEndOfTheHeaders() {
    ReadClock c = ReadClock.opened(s(0)).bytesArrived(s(1)).headersRead(s(2));
    assertThat(c.phase()).isEqualTo(Phase.BODY);
    assertThat(c.overdue(s(31.9), LIMITS)).isFalse();
    assertThat(c.overdue(s(32), LIMITS)).isTrue();
    assertThat(c.canAnswer()).isTrue();
  }

  @Test
  void aKeepAliveConnectionBetweenRequestsHasNoDeadline() {
    ReadClock c =
        ReadClock.opened(s(0)).headersRead(s(1)).requestRead().answerStarted().answerEnded(s(1.1));
    assertThat(c.phase()).isEqualTo(Phase.IDLE);
    assertThat(c.running()).isFalse();
    assertThat(c.overdue(s(3600), LIMITS)).as("the idle timeout's business").isFalse();
  }

  @Test
  void aLaterRequestsHeadersAreTimedFromItsFirstByte() {
    ReadClock c =
        ReadClock.opened(s(0))
            .headersRead(s(1))
            .requestRead()
            .answerEnded(s(2))
            .bytesArrived(s(100));
    assertThat(c.overdue(s(109), LIMITS)).isFalse();
    assertThat(c.overdue(s(110), LIMITS)).isTrue();
  }

  @Test
  void noClockRunsWhileTheServerOwesAnAnswerAndItRestartsWhenTheAnswerIsSent() {
    // A pipelining client: the second request's first bytes arrive before the first is answered.
    ReadClock c = ReadClock.opened(s(0)).headersRead(s(1)).requestRead().bytesArrived(s(1));
    assertThat(c.running()).isFalse();
    assertThat(c.overdue(s(60), LIMITS)).isFalse();

    c = c.answerStarted().answerEnded(s(60));
    assertThat(c.running()).isTrue();
    assertThat(c.overdue(s(69), LIMITS)).isFalse();
    assertThat(c.overdue(s(70), LIMITS)).isTrue();
  }

  @Test
  void aBodyStillTricklingAfterItsRequestWasRefusedIsCutOffWithoutASecondAnswer() {
    // Refused from its Content-Length (413, or 503 when the body budget is spent) before the body.
    ReadClock c = ReadClock.opened(s(0)).headersRead(s(1)).answerStarted().answerEnded(s(1));
    assertThat(c.phase()).isEqualTo(Phase.BODY);
    assertThat(c.overdue(s(31), LIMITS)).isTrue();
    assertThat(c.canAnswer()).isFalse();
  }

  @Test
  void anAnswerAlreadyGoingOutIsNotInterruptedByA408() {
    ReadClock c = ReadClock.opened(s(0)).headersRead(s(1)).answerStarted();
    assertThat(c.canAnswer()).isFalse();
  }

  @Test
  void timeoutsMustBePositive() {
    assertThatThrownBy(() -> new ReadTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessageContaining("must be positive");
  }
}
