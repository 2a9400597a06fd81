package io.modelship.runtime.router;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The endpoints of one revision, taken in turn. An endpoint is {@code host:port} of a runtime (a
 * pod, or a Service in front of several).
 */
public final class Backend {
  /** One endpoint. */
  public record Endpoint(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  private final List<Endpoint> endpoints;
  private final AtomicInteger next = new AtomicInteger();

  public Backend(List<Endpoint> endpoints) {
    this.endpoints = List.copyOf(endpoints);
  }

  /**
   * Parses a comma-separated list of {@code http://host:port} (or {@code host:port}) URLs.
   *
   * @throws IllegalArgumentException naming the entry that is not usable
   */
  public static Backend parse(String urls) {
    List<Endpoint> list = new ArrayList<>();
    for (String raw : urls.split(",")) {
      String u = raw.strip();
      if (u.isEmpty()) {
        continue;
      }
      URI uri;
      try {
        uri = URI.create(u.contains("://") ? u : "http://" + u);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a URL: " + u);
      }
      if (!"http".equals(uri.getScheme())) {
        throw new IllegalArgumentException("only http:// backends are supported (got " + u + ")");
      }
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("no host in " + u);
      }
      if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
        throw new IllegalArgumentException(
            "a backend is host and port only; requests keep their own path (got " + u + ")");
      }
      list.add(new Endpoint(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort()));
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("no endpoint given");
    }
    return new Backend(list);
  }

  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /** The next endpoint, round robin. */
  public Endpoint pick() {
    return endpoints.get(Math.floorMod(next.getAndIncrement(), endpoints.size()));
  }

  /** Another endpoint than {@code failed} when there is one (for a retry), else the same. */
  public Endpoint other(Endpoint failed) {
    for (int i = 0; i < endpoints.size(); i++) {
      Endpoint e = pick();
      if (!e.equals(failed)) {
        return e;
      }
    }
    return failed;
  }
}
