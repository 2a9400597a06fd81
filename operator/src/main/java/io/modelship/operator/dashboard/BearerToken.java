package io.modelship.operator.dashboard;

import java.util.Optional;
import java.util.regex.Pattern;

/** The user's bearer token from an {@code Authorization} header, as the dashboard page sends it. */
public final class BearerToken {

  // RFC 6750's b64token: what `kubectl create token` and OIDC tokens are made of. Anything else
  // (spaces, control characters, quotes) is refused rather than passed on to the API server.
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
  private static final int MAX_LENGTH = 16 * 1024;

  private BearerToken() {}

  /**
   * The token of a {@code Bearer} header (scheme case-insensitive), or empty when the header is
   * missing, uses another scheme, or carries no well-formed token.
   */
  public static Optional<String> from(String authorization) {
    if (authorization == null) {
      return Optional.empty();
    }
    String header = authorization.strip();
    int space = header.indexOf(' ');
    if (space < 0 || !header.substring(0, space).equalsIgnoreCase("Bearer")) {
      return Optional.empty();
    }
    String token = header.substring(space + 1).strip();
    if (token.isEmpty() || token.length() > MAX_LENGTH || !TOKEN.matcher(token).matches()) {
      return Optional.empty();
    }
    return Optional.of(token);
  }
}
