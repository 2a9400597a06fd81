package io.modelship.runtime.http;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * What a client may cost the HTTP server, in both modes: {@code modelship.http.*} properties or
 * {@code MODELSHIP_HTTP_*} environment variables. The idle timeout, header size and connection
 * limit are Quarkus' own ({@code quarkus.http.idle-timeout}, {@code quarkus.http.limits.*}).
 */
@ConfigMapping(prefix = "modelship.http")
public interface ClientLimits {

  /**
   * How long a client may take to send a request's line and headers: from the connection's opening
   * for its first request, from the request's first byte for later ones. Then it gets a 408 and the
   * connection is closed, however steadily the bytes trickle in.
   */
  @WithDefault("10s")
  Duration headerTimeout();

  /** How long a client may take to send a request's body, from the end of its headers. */
  @WithDefault("30s")
  Duration bodyTimeout();

  /**
   * Request bodies held at once, in bytes, while they are read, wait or are predicted; a request
   * that would go beyond is answered 503 with Retry-After before its body is read. Default: a
   * sixteenth of the maximum heap.
   */
  OptionalLong maxBufferedBodyBytes();
}
