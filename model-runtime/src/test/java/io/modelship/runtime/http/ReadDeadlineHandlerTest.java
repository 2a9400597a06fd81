package io.modelship.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.runtime.http.ReadClock.Phase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The deadline handler on a connection of its own, between Netty's HTTP codec and a test. */
class ReadDeadlineHandlerTest {
  static final ReadTimeouts LIMITS =
      new ReadTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));

  final AtomicLong now = new AtomicLong();
  final List<Phase> cutOff = new ArrayList<>();
  final EmbeddedChannel channel = new EmbeddedChannel();

  ReadDeadlineHandlerTest() {
    channel.freezeTime();
    channel
        .pipeline()
        .addLast(
            new HttpRequestDecoder(),
            new HttpResponseEncoder(),
            new ReadDeadlineHandler(LIMITS, now::get, cutOff::add));
  }

  void send(String bytes) {
    channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    Object msg;
    while ((msg = channel.readInbound()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }

  void wait(int seconds) {
    now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
  }

  String written() {
    StringBuilder b = new StringBuilder();
    ByteBuf buf;
    while ((buf = channel.readOutbound()) != null) {
      b.append(buf.toString(StandardCharsets.US_ASCII));
      buf.release();
    }
    return b.toString();
  }

  void answer() {
    channel.writeOutbound(
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
    written();
  }

  @Test
  void aClientTricklingItsHeadersGetsA408AndLosesTheConnection() {
    send("POST /models/iris/predict HTTP/1.1\r\nHo");
    for (int i = 0; i < 9; i++) {
      wait(1);
      send("s");
    }
    assertThat(channel.isOpen()).isTrue();
    wait(1);
    assertThat(written())
        .startsWith("HTTP/1.1 408 Request Timeout")
        .contains("connection: close")
        .contains("\"error\":\"the request's line and headers did not arrive within 10 s");
    assertThat(channel.isOpen()).isFalse();
    assertThat(cutOff).containsExactly(Phase.HEADERS);
  }

  @Test
  void aConnectionThatSendsNothingIsClosedWithoutAnAnswer() {
    wait(10);
    assertThat(written()).isEmpty();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aClientTricklingItsBodyGetsA408() {
    send("POST /models/iris/predict HTTP/1.1\r\nContent-Length: 10\r\n\r\n{\"a\"");
    wait(29);
    send(":");
    assertThat(channel.isOpen()).isTrue();
    wait(1);
    assertThat(written()).startsWith("HTTP/1.1 408").contains("request's body did not arrive");
    assertThat(cutOff).containsExactly(Phase.BODY);
  }

  @Test
  void anAnsweredKeepAliveConnectionIsLeftToTheIdleTimeout() {
    send("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n");
    wait(1);
    answer();
    wait(3600);
    assertThat(channel.isOpen()).isTrue();
    send("GET /v2/health/live HTTP/1.1\r\n");
    wait(10);
    assertThat(written()).startsWith("HTTP/1.1 408");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void noDeadlineWhileTheServerIsStillAnswering() {
    send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    send("GET /next HTTP/1.1\r\n");
    wait(60);
    assertThat(channel.isOpen()).as("the server owes the first answer").isTrue();
    answer();
    wait(9);
    assertThat(channel.isOpen()).as("the second request's wait counts from the answer").isTrue();
    wait(1);
    assertThat(written()).startsWith("HTTP/1.1 408");
    assertThat(channel.isOpen()).isFalse();
  }
}
