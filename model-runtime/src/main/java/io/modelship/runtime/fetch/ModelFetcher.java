package io.modelship.runtime.fetch;

import static io.modelship.runtime.fetch.FetchCommand.EXIT_OK;
import static io.modelship.runtime.fetch.FetchCommand.EXIT_SCHEME;
import static io.modelship.runtime.fetch.FetchCommand.EXIT_SHA256;
import static io.modelship.runtime.fetch.FetchCommand.EXIT_SOURCE;
import static io.modelship.runtime.fetch.FetchCommand.EXIT_USAGE;
import static io.modelship.runtime.fetch.FetchCommand.EXIT_WRITE;

import io.modelship.runtime.Messages;
import io.modelship.runtime.fetch.FetchCommand.Request;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code fetch}: copies a local file or downloads an https URI to a destination file, verifying
 * size and sha256 on the way, and moves it into place atomically. Never starts the server.
 */
public final class ModelFetcher {

  /** Where Kubernetes looks for a container's last words (shown in the pod status). */
  public static final Path TERMINATION_LOG = Path.of("/dev/termination-log");

  private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):.*");
  private static final int CHUNK = 64 * 1024;

  /** A failure the user reads, with the exit code it maps to. */
  static final class FetchException extends Exception {
    final int code;

    FetchException(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }

  /** What was written: its size and lower-case hex sha256. */
  public record Result(long bytes, String sha256) {}

  private ModelFetcher() {}

  /** Runs {@code fetch ARGS} (the arguments after {@code fetch}) and returns the exit code. */
  public static int run(String... args) {
    return run(args, System.out, System.err, TERMINATION_LOG);
  }

  static int run(String[] args, PrintStream out, PrintStream err, Path terminationLog) {
    FetchCommand.Parsed parsed = FetchCommand.parse(args);
    if (parsed.help()) {
      out.println(FetchCommand.usage());
      return EXIT_OK;
    }
    if (parsed.error() != null) {
      String message = "modelship fetch: " + parsed.error();
      err.println(message);
      err.println("Run with fetch --help to see the options.");
      terminationMessage(terminationLog, message);
      return EXIT_USAGE;
    }
    Request request = parsed.request();
    try {
      Result r = fetch(request);
      String message =
          "fetched "
              + display(request.uri())
              + " ("
              + r.bytes()
              + " bytes, sha256 "
              + r.sha256()
              + ") to "
              + request.dest();
      err.println(message);
      terminationMessage(terminationLog, message);
      return EXIT_OK;
    } catch (FetchException e) {
      err.println(e.getMessage());
      terminationMessage(terminationLog, e.getMessage());
      return e.code;
    }
  }

  /** Fetches {@code request.uri()} to {@code request.dest()}. */
  static Result fetch(Request request) throws FetchException {
    String shown = display(request.uri());
    Path dest = request.dest().toAbsolutePath();
    if (Files.isDirectory(dest)) {
      throw new FetchException(
          EXIT_USAGE, "--dest " + request.dest() + " is a directory; give the model's file path");
    }
    try (Source source = open(request, shown)) {
      if (source.length() > request.maxBytes()) {
        throw tooLarge(shown, source.length() + " bytes", request.maxBytes());
      }
      Path dir = dest.getParent();
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new FetchException(EXIT_WRITE, "cannot create directory " + dir + ": " + reason(e));
      }
      Path tmp;
      try {
        tmp = Files.createTempFile(dir, "." + dest.getFileName() + ".", ".part");
      } catch (IOException e) {
        throw new FetchException(EXIT_WRITE, "cannot write in " + dir + ": " + reason(e));
      }
      boolean moved = false;
      try {
        MessageDigest sha = sha256();
        long bytes = 0;
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          for (ByteBuffer chunk = source.next(); chunk != null; chunk = source.next()) {
            bytes += chunk.remaining();
            if (bytes > request.maxBytes()) {
              throw tooLarge(
                  shown, "more than " + request.maxBytes() + " bytes", request.maxBytes());
            }
            sha.update(chunk.duplicate());
            while (chunk.hasRemaining()) {
              out.write(chunk);
            }
          }
          out.force(true);
        } catch (IOException e) {
          throw new FetchException(EXIT_WRITE, "cannot write " + dest + ": " + reason(e));
        }
        String got = HexFormat.of().formatHex(sha.digest());
        if (request.sha256() != null && !request.sha256().equals(got)) {
          throw new FetchException(
              EXIT_SHA256,
              "sha256 mismatch for " + shown + ": expected " + request.sha256() + ", got " + got);
        }
        try {
          // A temporary file is private to its owner; the model is read by the serving container,
          // which may run as another user.
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException | IOException e) {
          // not a POSIX file system: keep the default permissions
        }
        try {
          Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          throw new FetchException(EXIT_WRITE, "cannot move into place " + dest + ": " + reason(e));
        }
        moved = true;
        return new Result(bytes, got);
      } finally {
        if (!moved) {
          try {
            Files.deleteIfExists(tmp);
          } catch (IOException e) {
            // best effort: the name marks it as partial
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------- sources

  /** A stream of chunks: {@code next()} returns null at the end. */
  private interface Source extends Closeable {
    /** Size announced before reading, or -1 when unknown. */
    long length();

    ByteBuffer next() throws FetchException;

    @Override
    void close();
  }

  private static Source open(Request request, String shown) throws FetchException {
    String uri = request.uri();
    Matcher m = SCHEME.matcher(uri);
    if (!m.matches()) {
      return local(Path.of(uri), shown);
    }
    String scheme = m.group(1).toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "file" -> {
        URI u = parse(uri);
        if (u.getRawAuthority() != null && !u.getRawAuthority().equals("localhost")) {
          throw new FetchException(
              EXIT_SCHEME,
              shown
                  + ": file URIs name a local file; a host ("
                  + u.getRawAuthority()
                  + ") is not"
                  + " supported");
        }
        if (u.getPath() == null || !u.getPath().startsWith("/")) {
          throw new FetchException(EXIT_USAGE, shown + ": a file URI needs an absolute path");
        }
        return local(Path.of(u.getPath()), shown);
      }
      case "https" -> {
        return http(parse(uri), request, shown);
      }
      case "http" -> {
        if (!request.allowHttp()) {
          throw new FetchException(
              EXIT_SCHEME,
              shown
                  + ": plain http is refused (the model would travel unencrypted and"
                  + " unauthenticated); use https://, or pass --allow-http to accept it");
        }
        return http(parse(uri), request, shown);
      }
      default ->
          throw new FetchException(
              EXIT_SCHEME,
              shown
                  + ": unsupported model source scheme \""
                  + scheme
                  + "\" (supported: file paths, https://)");
    }
  }

  private static URI parse(String uri) throws FetchException {
    try {
      return new URI(uri);
    } catch (URISyntaxException e) {
      throw new FetchException(EXIT_USAGE, "--uri: not a valid URI: " + e.getMessage());
    }
  }

  private static Source local(Path path, String shown) throws FetchException {
    if (!Files.exists(path)) {
      throw new FetchException(EXIT_SOURCE, shown + ": source not found");
    }
    if (Files.isDirectory(path)) {
      throw new FetchException(EXIT_SOURCE, shown + ": is a directory, not a model file");
    }
    ReadableByteChannel in;
    long length;
    try {
      in = Files.newByteChannel(path, StandardOpenOption.READ);
      length = Files.size(path);
    } catch (IOException e) {
      throw new FetchException(EXIT_SOURCE, shown + ": cannot read source: " + reason(e));
    }
    return new Source() {
      final ByteBuffer buf = ByteBuffer.allocate(CHUNK);

      @Override
      public long length() {
        return length;
      }

      @Override
      public ByteBuffer next() throws FetchException {
        buf.clear();
        int n;
        try {
          n = in.read(buf);
        } catch (IOException e) {
          throw new FetchException(EXIT_SOURCE, shown + ": cannot read source: " + reason(e));
        }
        if (n < 0) {
          return null;
        }
        return buf.flip();
      }

      @Override
      public void close() {
        try {
          in.close();
        } catch (IOException e) {
          // read-only: nothing lost
        }
      }
    };
  }

  /** Redirects followed at most; each is checked like the URI given. */
  static final int MAX_REDIRECTS = 5;

  /**
   * Downloads over http(s). Redirects are followed by hand, at most {@link #MAX_REDIRECTS}, so that
   * every hop is checked like the first: its scheme (no downgrade to http:// without {@code
   * --allow-http}) and the addresses its host resolves to ({@link SourceAddresses}).
   */
  private static Source http(URI uri, Request request, String shown) throws FetchException {
    Duration timeout = request.timeout();
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    URI current = uri;
    for (int hop = 0; ; hop++) {
      String where =
          hop == 0 ? shown : shown + " (redirected to " + display(current.toString()) + ")";
      checkAddresses(current, where);
      HttpResponse<Flow.Publisher<List<ByteBuffer>>> response =
          get(client, current, timeout, where);
      int status = response.statusCode();
      if (!REDIRECTS.contains(status)) {
        return body(response, where, timeout);
      }
      new BodyReader(where, timeout).discard(response);
      String location = response.headers().firstValue("Location").orElse(null);
      if (location == null) {
        throw new FetchException(
            EXIT_SOURCE, where + ": HTTP status " + status + " without a Location to follow");
      }
      if (hop == MAX_REDIRECTS) {
        throw new FetchException(
            EXIT_SOURCE, shown + ": more than " + MAX_REDIRECTS + " redirects; not followed");
      }
      URI next;
      try {
        next = current.resolve(location.strip());
      } catch (IllegalArgumentException e) {
        throw new FetchException(EXIT_SOURCE, where + ": redirect to an invalid URI");
      }
      String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !(scheme.equals("http") && request.allowHttp())) {
        throw new FetchException(
            EXIT_SCHEME,
            where
                + ": redirected to "
                + display(next.toString())
                + ", which is not followed (only https://, or http:// with --allow-http)");
      }
      current = next;
    }
  }

  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  /**
   * Refuses a host that resolves to an address no model is fetched from (any of its addresses: the
   * client may connect to any).
   */
  private static void checkAddresses(URI u, String where) throws FetchException {
    String host = u.getHost();
    if (host == null) {
      throw new FetchException(EXIT_USAGE, where + ": the URI has no host");
    }
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new FetchException(EXIT_SOURCE, where + ": unknown host " + host);
    }
    for (InetAddress a : all) {
      String why = SourceAddresses.refusal(a);
      if (why != null) {
        throw new FetchException(
            EXIT_SCHEME,
            where
                + ": refused: "
                + host
                + " is "
                + (host.equals(a.getHostAddress()) ? "" : a.getHostAddress() + ", ")
                + why
                + "; models are not fetched from there");
      }
    }
  }

  private static HttpResponse<Flow.Publisher<List<ByteBuffer>>> get(
      HttpClient client, URI uri, Duration timeout, String shown) throws FetchException {
    HttpRequest get;
    try {
      get =
          HttpRequest.newBuilder(uri)
              .timeout(timeout)
              .header("User-Agent", "modelship-fetch")
              .build();
    } catch (IllegalArgumentException e) {
      throw new FetchException(EXIT_USAGE, "--uri: not a usable URI: " + e.getMessage());
    }
    try {
      return client.send(get, HttpResponse.BodyHandlers.ofPublisher());
    } catch (HttpTimeoutException e) {
      throw timedOut(shown, timeout);
    } catch (ConnectException e) {
      throw new FetchException(EXIT_SOURCE, shown + ": cannot connect: " + reason(e));
    } catch (UnknownHostException e) {
      throw new FetchException(EXIT_SOURCE, shown + ": unknown host " + uri.getHost());
    } catch (IOException e) {
      throw new FetchException(EXIT_SOURCE, shown + ": download failed: " + reason(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FetchException(EXIT_WRITE, shown + ": interrupted");
    }
  }

  private static Source body(
      HttpResponse<Flow.Publisher<List<ByteBuffer>>> response, String shown, Duration timeout)
      throws FetchException {
    BodyReader body = new BodyReader(shown, timeout);
    response.body().subscribe(body);
    if (response.statusCode() != 200) {
      body.close();
      throw new FetchException(
          EXIT_SOURCE, shown + ": HTTP status " + response.statusCode() + " (expected 200)");
    }
    long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    body.length = length;
    return body;
  }

  /**
   * Hands the response body to the copying thread and bounds every wait for data by the timeout
   * (the HTTP client's own timeout ends when the headers arrive).
   */
  private static final class BodyReader implements Source, Flow.Subscriber<List<ByteBuffer>> {
    private static final Object END = new Object();
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final String shown;
    private final Duration timeout;
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private Iterator<ByteBuffer> items;
    private boolean done;
    long length = -1;

    BodyReader(String shown, Duration timeout) {
      this.shown = shown;
      this.timeout = timeout;
    }

    /** Takes a response's body only to drop it (a redirect's), freeing its connection. */
    void discard(HttpResponse<Flow.Publisher<List<ByteBuffer>>> response) {
      response.body().subscribe(this);
      close();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (closed) {
        s.cancel();
      } else {
        s.request(1);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
      queue.add(t);
    }

    @Override
    public void onComplete() {
      queue.add(END);
    }

    @Override
    public long length() {
      return length;
    }

    @Override
    public ByteBuffer next() throws FetchException {
      while (!done) {
        if (items != null) {
          while (items.hasNext()) {
            ByteBuffer b = items.next();
            if (b.hasRemaining()) {
              return b;
            }
          }
          items = null;
          subscription.request(1);
        }
        Object o;
        try {
          o = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new FetchException(EXIT_WRITE, shown + ": interrupted");
        }
        if (o == null) {
          close();
          throw timedOut(shown, timeout);
        } else if (o == END) {
          done = true;
        } else if (o instanceof Throwable t) {
          done = true;
          if (t instanceof HttpTimeoutException) {
            throw timedOut(shown, timeout);
          }
          throw new FetchException(
              EXIT_SOURCE, shown + ": download failed: " + Messages.firstLine(describe(t)));
        } else {
          @SuppressWarnings("unchecked")
          List<ByteBuffer> list = (List<ByteBuffer>) o;
          items = list.iterator();
        }
      }
      return null;
    }

    @Override
    public void close() {
      closed = true;
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }
  }

  // ---------------------------------------------------------------------------------- helpers

  private static FetchException tooLarge(String shown, String size, long max) {
    return new FetchException(
        EXIT_WRITE, shown + ": too large (" + size + "; --max-bytes is " + max + ")");
  }

  private static FetchException timedOut(String shown, Duration timeout) {
    return new FetchException(
        EXIT_WRITE,
        shown + ": timed out (no data for " + timeout.toSeconds() + " s; see --timeout-seconds)");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * The URI as shown in messages, which end up in logs and the pod status: user information and
   * query strings (credentials, pre-signed URL signatures) are left out.
   */
  static String display(String uri) {
    Matcher m = SCHEME.matcher(uri);
    if (!m.matches() || m.group(1).equalsIgnoreCase("file")) {
      return uri;
    }
    try {
      URI u = new URI(uri);
      if (u.getRawUserInfo() == null && u.getRawQuery() == null && u.getRawFragment() == null) {
        return uri;
      }
      String hostPort = u.getHost() == null ? "" : u.getHost();
      if (u.getPort() >= 0) {
        hostPort += ":" + u.getPort();
      }
      String path = u.getRawPath() == null ? "" : u.getRawPath();
      return u.getScheme() + "://" + hostPort + path + (u.getRawQuery() == null ? "" : "?...");
    } catch (URISyntaxException e) {
      int cut = uri.indexOf('?');
      return cut < 0 ? uri : uri.substring(0, cut) + "?...";
    }
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return Messages.firstLine(describe(e));
  }

  /** The first message in the cause chain (the HTTP client often wraps one without a message). */
  private static String describe(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        return c.getMessage();
      }
    }
    return t instanceof ConnectException
        ? "connection refused or host unreachable"
        : t.getClass().getSimpleName();
  }

  /** Writes the message where Kubernetes reads it, if this runs in a container that has one. */
  public static void terminationMessage(Path log, String message) {
    if (log == null || !Files.isRegularFile(log) || !Files.isWritable(log)) {
      return;
    }
    try {
      Files.writeString(
          log,
          message + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      // the message is on stderr as well
    }
  }
}
