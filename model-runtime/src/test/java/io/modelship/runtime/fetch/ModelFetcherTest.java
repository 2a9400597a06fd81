package io.modelship.runtime.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFetcherTest {
  @TempDir Path tmp;
  Path terminationLog;
  HttpServer server;
  ExecutorService executor;
  final List<String> requested = new ArrayList<>();

  record Outcome(int code, String out, String err) {}

  @BeforeEach
  void terminationLog() throws IOException {
    terminationLog = Files.createFile(tmp.resolve("termination-log"));
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
    }
  }

  Outcome fetch(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ModelFetcher.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            terminationLog);
    return new Outcome(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  String terminationMessage() throws IOException {
    return Files.readString(terminationLog);
  }

  static byte[] bytes(int n) {
    byte[] b = new byte[n];
    new Random(42).nextBytes(b);
    return b;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  Path source(byte[] content) throws IOException {
    Path src = tmp.resolve("src/model.onnx");
    Files.createDirectories(src.getParent());
    return Files.write(src, content);
  }

  /** Files left in a directory, so a test can check that no temporary file remains. */
  static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  // ------------------------------------------------------------------------------ local files

  @Test
  void copiesALocalFileCreatingParentDirectories() throws Exception {
    byte[] content = bytes(300_000); // several read chunks
    Path src = source(content);
    Path dest = tmp.resolve("out/a/b/model.onnx");
    String sha = sha256(content);

    Outcome o =
        fetch("--uri", src.toString(), "--dest", dest.toString(), "--sha256", sha.toUpperCase());

    String expected = "fetched " + src + " (300000 bytes, sha256 " + sha + ") to " + dest;
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.err()).isEqualTo(expected + System.lineSeparator());
    assertThat(terminationMessage()).isEqualTo(expected + "\n");
    assertThat(Files.readAllBytes(dest)).isEqualTo(content);
    assertThat(list(dest.getParent())).containsExactly("model.onnx");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dest)))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void acceptsFileUrisAndReplacesAnExistingDestination() throws Exception {
    byte[] content = bytes(1000);
    Path src = source(content);
    Path dest = Files.writeString(tmp.resolve("model.onnx"), "old");

    Outcome o = fetch("--uri", src.toUri().toString(), "--dest", dest.toString());

    assertThat(src.toUri().toString()).startsWith("file:///");
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(Files.readAllBytes(dest)).isEqualTo(content);
  }

  @Test
  void wrongSha256LeavesNothingBehind() throws Exception {
    byte[] content = bytes(1000);
    Path src = source(content);
    Path dest = tmp.resolve("out/model.onnx");
    String wrong = "0".repeat(64);

    Outcome o = fetch("--uri", src.toString(), "--dest", dest.toString(), "--sha256", wrong);

    String expected =
        "sha256 mismatch for " + src + ": expected " + wrong + ", got " + sha256(content);
    assertThat(o.code()).isEqualTo(5);
    assertThat(o.err()).isEqualTo(expected + System.lineSeparator());
    assertThat(terminationMessage()).isEqualTo(expected + "\n");
    assertThat(list(dest.getParent())).isEmpty();
  }

  @Test
  void wrongSha256KeepsAnExistingDestination() throws Exception {
    Path src = source(bytes(10));
    Path dest = Files.writeString(tmp.resolve("model.onnx"), "previous");

    Outcome o =
        fetch("--uri", src.toString(), "--dest", dest.toString(), "--sha256", "a".repeat(64));

    assertThat(o.code()).isEqualTo(5);
    assertThat(Files.readString(dest)).isEqualTo("previous");
    assertThat(list(tmp)).containsExactly("model.onnx", "src", "termination-log");
  }

  @Test
  void missingSourceExitsThree() throws Exception {
    Path src = tmp.resolve("nope.onnx");
    Path dest = tmp.resolve("out/model.onnx");

    Outcome o = fetch("--uri", src.toString(), "--dest", dest.toString());

    assertThat(o.code()).isEqualTo(3);
    assertThat(o.err()).contains(src + ": source not found");
    assertThat(terminationMessage()).contains(src + ": source not found");
    assertThat(dest.getParent()).doesNotExist();
  }

  @Test
  void directorySourceExitsThree() {
    Outcome o = fetch("--uri", tmp.toString(), "--dest", tmp.resolve("m.onnx").toString());
    assertThat(o.code()).isEqualTo(3);
    assertThat(o.err()).contains(tmp + ": is a directory");
  }

  @Test
  void unsupportedSchemeExitsFour() throws Exception {
    Outcome o = fetch("--uri", "s3://bucket/iris.onnx", "--dest", tmp.resolve("m").toString());

    String expected =
        "s3://bucket/iris.onnx: unsupported model source scheme \"s3\" (supported: file paths,"
            + " https://)";
    assertThat(o.code()).isEqualTo(4);
    assertThat(o.err()).isEqualTo(expected + System.lineSeparator());
    assertThat(terminationMessage()).isEqualTo(expected + "\n");
  }

  @Test
  void fileUriWithAHostExitsFour() {
    Outcome o = fetch("--uri", "file://server/m.onnx", "--dest", tmp.resolve("m").toString());
    assertThat(o.code()).isEqualTo(4);
    assertThat(o.err()).contains("a host (server) is not supported");
  }

  @Test
  void tooLargeLocalFileExitsSix() throws Exception {
    Path src = source(bytes(11));
    Path dest = tmp.resolve("out/model.onnx");

    Outcome o = fetch("--uri", src.toString(), "--dest", dest.toString(), "--max-bytes", "10");

    assertThat(o.code()).isEqualTo(6);
    assertThat(o.err()).contains(src + ": too large (11 bytes; --max-bytes is 10)");
    assertThat(dest).doesNotExist();
  }

  @Test
  void exactlyMaxBytesIsAccepted() throws Exception {
    Path src = source(bytes(10));
    Path dest = tmp.resolve("model.onnx");
    assertThat(
            fetch("--uri", src.toString(), "--dest", dest.toString(), "--max-bytes", "10").code())
        .isZero();
  }

  @Test
  void unwritableDestinationExitsSix() throws Exception {
    Path src = source(bytes(10));
    Path blocker = Files.writeString(tmp.resolve("blocker"), "a file, not a directory");

    Outcome o = fetch("--uri", src.toString(), "--dest", blocker.resolve("m.onnx").toString());

    assertThat(o.code()).isEqualTo(6);
    assertThat(o.err()).startsWith("cannot create directory " + blocker);
  }

  @Test
  void destinationThatIsADirectoryExitsTwo() throws Exception {
    Path src = source(bytes(10));
    Outcome o = fetch("--uri", src.toString(), "--dest", tmp.toString());
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("is a directory");
  }

  @Test
  void badArgumentsExitTwoAndHelpExitsZero() throws Exception {
    Outcome bad = fetch("--uri", "/m.onnx", "--dest", "m", "--colour", "red");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("modelship fetch: unknown option --colour", "fetch --help");
    assertThat(terminationMessage()).isEqualTo("modelship fetch: unknown option --colour\n");

    Outcome sha = fetch("--uri", "/m.onnx", "--dest", "m", "--sha256", "xyz");
    assertThat(sha.code()).isEqualTo(2);

    Outcome help = fetch("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("Usage: java -jar quarkus-run.jar fetch", "Exit codes");
  }

  @Test
  void noTerminationLogIsFine() throws Exception {
    Files.delete(terminationLog);
    Path src = source(bytes(10));
    assertThat(fetch("--uri", src.toString(), "--dest", tmp.resolve("m").toString()).code())
        .isZero();
    assertThat(terminationLog).doesNotExist();
  }

  // ------------------------------------------------------------------------------------ HTTP

  /** Serves {@code handler} on 127.0.0.1 and returns the base URL. */
  String serve(HttpHandler handler) throws IOException {
    executor = Executors.newCachedThreadPool();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(executor);
    server.createContext(
        "/",
        exchange -> {
          synchronized (requested) {
            requested.add(exchange.getRequestURI().toString());
          }
          handler.handle(exchange);
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static void respond(HttpExchange exchange, int status, byte[] body, boolean chunked)
      throws IOException {
    exchange.sendResponseHeaders(status, chunked ? 0 : (body.length == 0 ? -1 : body.length));
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Test
  void downloadsOverHttpWithAllowHttp() throws Exception {
    byte[] content = bytes(200_000);
    String base = serve(e -> respond(e, 200, content, false));
    Path dest = tmp.resolve("out/model.onnx");
    String sha = sha256(content);

    Outcome o =
        fetch(
            "--uri",
            base + "/models/iris.onnx",
            "--dest",
            dest.toString(),
            "--sha256",
            sha,
            "--allow-http");

    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.err())
        .isEqualTo(
            "fetched "
                + base
                + "/models/iris.onnx (200000 bytes, sha256 "
                + sha
                + ") to "
                + dest
                + System.lineSeparator());
    assertThat(Files.readAllBytes(dest)).isEqualTo(content);
    assertThat(list(dest.getParent())).containsExactly("model.onnx");
  }

  @Test
  void followsRedirectsAndKeepsQueryStringsOutOfMessages() throws Exception {
    byte[] content = bytes(5000);
    String base =
        serve(
            e -> {
              if (e.getRequestURI().getPath().equals("/old")) {
                e.getResponseHeaders().add("Location", "/new?X-Signature=secret2");
                respond(e, 302, new byte[0], false);
              } else {
                respond(e, 200, content, true);
              }
            });
    Path dest = tmp.resolve("model.onnx");

    Outcome o =
        fetch(
            "--uri",
            base.replace("http://", "http://user:pw@") + "/old?X-Signature=secret1",
            "--dest",
            dest.toString(),
            "--allow-http");

    assertThat(o.code()).as(o.err()).isZero();
    assertThat(Files.readAllBytes(dest)).isEqualTo(content);
    assertThat(requested).containsExactly("/old?X-Signature=secret1", "/new?X-Signature=secret2");
    assertThat(o.err()).startsWith("fetched " + base + "/old?... (5000 bytes");
    assertThat(o.err() + terminationMessage()).doesNotContain("secret", "pw@");
  }

  @Test
  void aRedirectToTheCloudMetadataAddressIsNotFollowed() throws Exception {
    String base =
        serve(
            e -> {
              e.getResponseHeaders()
                  .add("Location", "http://169.254.169.254/latest/meta-data/iam/credentials");
              respond(e, 302, new byte[0], false);
            });
    Path dest = tmp.resolve("model.onnx");

    Outcome o = fetch("--uri", base + "/m.onnx", "--dest", dest.toString(), "--allow-http");

    assertThat(o.code()).as(o.err()).isEqualTo(4);
    assertThat(o.err())
        .contains(
            base
                + "/m.onnx (redirected to http://169.254.169.254/latest/meta-data/iam/credentials):"
                + " refused: 169.254.169.254 is a link-local address (cloud instance metadata"
                + " lives at 169.254.169.254); models are not fetched from there");
    assertThat(requested).containsExactly("/m.onnx");
    assertThat(dest).doesNotExist();
  }

  @Test
  void metadataAndLinkLocalAddressesAreRefusedBeforeAnyConnection() throws Exception {
    Outcome v4 =
        fetch("--uri", "https://169.254.169.254/m.onnx", "--dest", tmp.resolve("a").toString());
    assertThat(v4.code()).isEqualTo(4);
    assertThat(v4.err()).contains("refused: 169.254.169.254 is a link-local address");

    Outcome v6 =
        fetch("--uri", "https://[fd00:ec2::254]/m.onnx", "--dest", tmp.resolve("b").toString());
    assertThat(v6.code()).isEqualTo(4);
    assertThat(v6.err()).contains("the cloud instance metadata address");

    Outcome linkLocal6 =
        fetch("--uri", "https://[fe80::1]/m.onnx", "--dest", tmp.resolve("c").toString());
    assertThat(linkLocal6.code()).isEqualTo(4);

    Outcome any = fetch("--uri", "https://0.0.0.0/m.onnx", "--dest", tmp.resolve("d").toString());
    assertThat(any.code()).isEqualTo(4);
    assertThat(any.err()).contains("the unspecified address");
  }

  @Test
  void redirectsAreFollowedFiveTimesAtMostAndNeverToAnotherScheme() throws Exception {
    String base =
        serve(
            e -> {
              int n = Integer.parseInt(e.getRequestURI().getPath().substring(1));
              e.getResponseHeaders().add("Location", "/" + (n + 1));
              respond(e, 307, new byte[0], false);
            });
    Outcome loop =
        fetch("--uri", base + "/0", "--dest", tmp.resolve("m").toString(), "--allow-http");
    assertThat(loop.code()).isEqualTo(3);
    assertThat(loop.err()).contains(base + "/0: more than 5 redirects; not followed");
    assertThat(requested).containsExactly("/0", "/1", "/2", "/3", "/4", "/5");

    stopServer();
    requested.clear();
    String ftp =
        serve(
            e -> {
              e.getResponseHeaders().add("Location", "ftp://models.example.com/m.onnx");
              respond(e, 301, new byte[0], false);
            });
    Outcome other =
        fetch("--uri", ftp + "/m", "--dest", tmp.resolve("m").toString(), "--allow-http");
    assertThat(other.code()).isEqualTo(4);
    assertThat(other.err())
        .contains(
            "redirected to ftp://models.example.com/m.onnx, which is not followed (only https://,"
                + " or http:// with --allow-http)");
  }

  @Test
  void plainHttpWithoutAllowHttpExitsFour() throws Exception {
    Outcome o = fetch("--uri", "http://127.0.0.1:1/m.onnx", "--dest", tmp.resolve("m").toString());
    assertThat(o.code()).isEqualTo(4);
    assertThat(o.err()).contains("plain http is refused", "use https://", "--allow-http");
  }

  @Test
  void httpStatusOtherThan200ExitsThreeNamingTheStatus() throws Exception {
    String base = serve(e -> respond(e, 404, "no such model".getBytes(), false));
    Path dest = tmp.resolve("out/model.onnx");

    Outcome o = fetch("--uri", base + "/m.onnx", "--dest", dest.toString(), "--allow-http");

    assertThat(o.code()).isEqualTo(3);
    assertThat(o.err()).contains(base + "/m.onnx: HTTP status 404 (expected 200)");
    assertThat(terminationMessage()).contains("HTTP status 404");
    assertThat(dest.getParent()).doesNotExist();
  }

  @Test
  void bodyLargerThanMaxBytesExitsSix() throws Exception {
    byte[] content = bytes(100_000);
    String base =
        serve(e -> respond(e, 200, content, e.getRequestURI().getPath().contains("chunked")));
    Path dest = tmp.resolve("out/model.onnx");

    // Content-Length announces it: refused before reading.
    Outcome announced =
        fetch(
            "--uri",
            base + "/m.onnx",
            "--dest",
            dest.toString(),
            "--allow-http",
            "--max-bytes",
            "1000");
    assertThat(announced.code()).isEqualTo(6);
    assertThat(announced.err()).contains("too large (100000 bytes; --max-bytes is 1000)");
    assertThat(dest.getParent()).doesNotExist();

    // Chunked: no length up front, cut off while streaming.
    Outcome streamed =
        fetch(
            "--uri",
            base + "/chunked.onnx",
            "--dest",
            dest.toString(),
            "--allow-http",
            "--max-bytes",
            "1000");
    assertThat(streamed.code()).isEqualTo(6);
    assertThat(streamed.err()).contains("too large (more than 1000 bytes; --max-bytes is 1000)");
    assertThat(list(dest.getParent())).isEmpty();
  }

  @Test
  void stalledDownloadTimesOutAndExitsSix() throws Exception {
    String base =
        serve(
            e -> {
              e.sendResponseHeaders(200, 0);
              OutputStream out = e.getResponseBody();
              out.write(bytes(100));
              out.flush();
              try {
                Thread.sleep(30_000);
              } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
              }
              e.close();
            });
    Path dest = tmp.resolve("model.onnx");

    long start = System.nanoTime();
    Outcome o =
        fetch(
            "--uri",
            base + "/m.onnx",
            "--dest",
            dest.toString(),
            "--allow-http",
            "--timeout-seconds",
            "1");

    assertThat(o.code()).isEqualTo(6);
    assertThat(o.err()).contains("timed out (no data for 1 s");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
    assertThat(list(tmp)).containsExactly("termination-log");
  }

  @Test
  void unreachableServerExitsThree() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Outcome o =
        fetch(
            "--uri",
            "http://127.0.0.1:" + port + "/m.onnx",
            "--dest",
            tmp.resolve("m").toString(),
            "--allow-http");
    assertThat(o.code()).isEqualTo(3);
    assertThat(o.err()).contains("cannot connect");
  }
}
