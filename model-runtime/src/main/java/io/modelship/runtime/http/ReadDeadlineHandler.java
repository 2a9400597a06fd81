package io.modelship.runtime.http;

import io.modelship.runtime.api.ResponseWriter;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Cuts off a client that sends a request too slowly: sits between the HTTP decoder and Vert.x on
 * one connection, tells its {@link ReadClock} what went by, and when the clock is overdue answers
 * 408 (if part of a request came and no answer began) and closes the connection. One timer at a
 * time per connection, and none while the server is the one that owes an answer.
 */
final class ReadDeadlineHandler extends ChannelDuplexHandler {
  static final String NAME = "modelship-read-deadline";

  private final ReadTimeouts limits;
  private final LongSupplier clock;
  private final Consumer<ReadClock.Phase> onTimeout;
  private ReadClock state;
  private boolean decodedThisRead;
  private ScheduledFuture<?> check;

  ReadDeadlineHandler(
      ReadTimeouts limits, LongSupplier clock, Consumer<ReadClock.Phase> onTimeout) {
    this.limits = limits;
    this.clock = clock;
    this.onTimeout = onTimeout;
    this.state = ReadClock.opened(clock.getAsLong());
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    schedule(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    decodedThisRead = true;
    if (msg instanceof HttpRequest) {
      state = state.headersRead(clock.getAsLong());
    }
    if (msg instanceof LastHttpContent) {
      state = state.requestRead();
    }
    ctx.fireChannelRead(msg);
  }

  /**
   * Fires after every read from the socket; a read that gave the decoder nothing to pass on (part
   * of a request line or header) is the sign that a request has begun.
   */
  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!decodedThisRead) {
      state = state.bytesArrived(clock.getAsLong());
    }
    decodedThisRead = false;
    schedule(ctx);
    ctx.fireChannelReadComplete();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean informational =
        msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (!informational) {
      if (msg instanceof HttpResponse) {
        state = state.answerStarted();
      }
      if (msg instanceof LastHttpContent) {
        state = state.answerEnded(clock.getAsLong());
        schedule(ctx);
      }
    }
    ctx.write(msg, promise);
  }

  private void schedule(ChannelHandlerContext ctx) {
    if (check != null || !state.running() || !ctx.channel().isActive()) {
      return;
    }
    long delay = Math.max(0, state.deadline(limits) - clock.getAsLong());
    check = ctx.executor().schedule(() -> expire(ctx), delay, TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }

  /** The timer fired: cut the client off if it is still overdue, else wait for the new deadline. */
  private void expire(ChannelHandlerContext ctx) {
    check = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    if (!state.overdue(clock.getAsLong(), limits)) {
      schedule(ctx);
      return;
    }
    ReadClock.Phase phase = state.phase();
    onTimeout.accept(phase);
    if (state.canAnswer()) {
      ctx.writeAndFlush(requestTimeout(phase));
    }
    // A client that does not read would leave a pending write, and so the connection, open: close
    // now. What the socket took of the answer still reaches the client before the FIN.
    ctx.close();
  }

  private static String readable(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private FullHttpResponse requestTimeout(ReadClock.Phase phase) {
    String what = phase == ReadClock.Phase.BODY ? "body" : "line and headers";
    byte[] body =
        ResponseWriter.error(
            408,
            "the request's "
                + what
                + " did not arrive within "
                + readable(limits.of(phase))
                + "; the connection is closed",
            List.of());
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(body));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return r;
  }
}
