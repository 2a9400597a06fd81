package io.modelship.runtime.http;

import java.time.Duration;

/**
 * How long a client may take to send a request's headers, and then its body.
 *
 * @param headers from the connection's opening, or from the first byte of a later request
 * @param body from the end of the headers
 */
record ReadTimeouts(Duration headers, Duration body) {

  ReadTimeouts {
    if (headers.isNegative() || headers.isZero() || body.isNegative() || body.isZero()) {
      throw new IllegalArgumentException(
          "read timeouts must be positive (got headers " + headers + ", body " + body + ")");
    }
  }

  Duration of(ReadClock.Phase phase) {
    return phase == ReadClock.Phase.BODY ? body : headers;
  }
}
