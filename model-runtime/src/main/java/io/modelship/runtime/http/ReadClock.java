package io.modelship.runtime.http;

/**
 * How long one connection's client has kept the server waiting for a request: a pure state machine,
 * fed by {@link ReadDeadlineHandler} with what crosses the connection, so the rules are tested
 * without sockets.
 *
 * <p>The clock runs only while the server waits for the client: from the connection's opening until
 * its first request's headers are in, from the first byte of each later request until its headers
 * are in (an idle keep-alive connection is the idle timeout's business), and from the headers until
 * the body is in. It stops while the server owes an answer to an earlier request, and starts again,
 * from zero, when that answer has been sent.
 *
 * @param phase what the server is waiting for
 * @param since when the running wait began, in {@link System#nanoTime()} units
 * @param requests requests whose headers have arrived on this connection
 * @param answers answers sent to completion on this connection
 * @param answering an answer has begun and not yet ended
 * @param heard some of the awaited request has arrived (false on a connection that sent nothing)
 */
record ReadClock(
    Phase phase, long since, int requests, int answers, boolean answering, boolean heard) {

  /** What the server is waiting for. */
  enum Phase {
    /** Nothing: no request is being read. */
    IDLE,
    /** The rest of a request's line and headers. */
    HEADERS,
    /** The rest of a request's body. */
    BODY
  }

  /** A new connection: its first request's headers are awaited from now. */
  static ReadClock opened(long now) {
    return new ReadClock(Phase.HEADERS, now, 0, 0, false, false);
  }

  /** Bytes arrived that completed nothing: the start of a request, when none was being read. */
  ReadClock bytesArrived(long now) {
    return switch (phase) {
      case IDLE -> new ReadClock(Phase.HEADERS, now, requests, answers, answering, true);
      case HEADERS ->
          heard ? this : new ReadClock(phase, since, requests, answers, answering, true);
      case BODY -> this;
    };
  }

  /** A request's line and headers are in; its body is awaited from now. */
  ReadClock headersRead(long now) {
    return new ReadClock(Phase.BODY, now, requests + 1, answers, answering, true);
  }

  /** A request has arrived in full. */
  ReadClock requestRead() {
    return new ReadClock(Phase.IDLE, since, requests, answers, answering, false);
  }

  /** An answer began (its status line and headers went out). */
  ReadClock answerStarted() {
    return new ReadClock(phase, since, requests, answers, true, heard);
  }

  /** An answer went out in full; a wait in progress counts from now. */
  ReadClock answerEnded(long now) {
    return new ReadClock(
        phase, phase == Phase.IDLE ? since : now, requests, answers + 1, false, heard);
  }

  /** Whether the server is waiting for this client, so the clock runs. */
  boolean running() {
    int earlierUnanswered = requests - answers - (phase == Phase.BODY ? 1 : 0);
    return phase != Phase.IDLE && earlierUnanswered <= 0;
  }

  /** When the running wait ends, in {@link System#nanoTime()} units. */
  long deadline(ReadTimeouts limits) {
    return since + limits.of(phase).toNanos();
  }

  /** Whether the client has kept the server waiting longer than allowed. */
  boolean overdue(long now, ReadTimeouts limits) {
    return running() && now - deadline(limits) >= 0;
  }

  /**
   * Whether a 408 can still be the answer: part of a request arrived and no answer to it began. A
   * connection that sent nothing, or whose request was already answered (say, refused before its
   * body was read), is closed without one.
   */
  boolean canAnswer() {
    return switch (phase) {
      case IDLE -> false;
      case HEADERS -> heard && !answering;
      case BODY -> !answering && answers < requests;
    };
  }
}
