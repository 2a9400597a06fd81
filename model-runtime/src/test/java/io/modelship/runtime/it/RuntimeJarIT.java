package io.modelship.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the packaged runtime as a user would ({@code java -jar quarkus-run.jar ...}) and talks to
 * it over real HTTP on loopback.
 */
class RuntimeJarIT extends JarHarness {

  @Test
  void servesTheIrisExampleFromTheCommandLine(@TempDir Path tmp) throws Exception {
    int port = freePort();
    Path log = tmp.resolve("runtime.log");
    Process p = serveIris(port, log);

    HttpResponse<String> r = post(port, "/models/iris/predict", SETOSA);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"label\":\"setosa\"", "\"model\":\"iris\"", "\"version\":\"1\"");
    assertThat(r.headers().firstValue("x-modelship-revision")).get().asString().hasSize(12);

    HttpResponse<String> bad = post(port, "/models/iris/predict", SETOSA.replace("5.1", "-3"));
    assertThat(bad.statusCode()).isEqualTo(422);
    assertThat(bad.body()).contains("sepal_length: must be at least 0 (got -3)");

    assertThat(get(port, "/q/openapi").statusCode()).isEqualTo(200);
    assertThat(get(port, "/q/metrics").body()).contains("modelship_requests_total");
    assertThat(Files.readString(log)).contains("serving model iris version 1");
  }

  @Test
  void helpPrintsEveryOptionAndExitsZero(@TempDir Path tmp) throws Exception {
    Path log = tmp.resolve("help.log");
    Process p = start(log, "--help");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(Files.readString(log))
        .contains(
            "--model FILE",
            "--card FILE",
            "--port PORT",
            "--host ADDRESS",
            "--api-keys-file FILE",
            "--max-body-bytes BYTES",
            "MODELSHIP_MODEL");
  }

  @Test
  void badFlagExitsTwoWithAMessage(@TempDir Path tmp) throws Exception {
    Path log = tmp.resolve("flag.log");
    Process p = start(log, "--modle", "x.onnx");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log)).contains("modelship: unknown option --modle");
  }

  @Test
  void missingModelExitsNonZeroNamingTheFile(@TempDir Path tmp) throws Exception {
    Path log = tmp.resolve("missing.log");
    Process p =
        start(
            log,
            "--model",
            tmp.resolve("nope.onnx").toString(),
            "--port",
            Integer.toString(freePort()));
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(3);
    String out = Files.readString(log);
    assertThat(out).contains(tmp.resolve("nope.onnx") + ": model file not found");
    assertThat(out).doesNotContain("\tat ");
  }

  @Test
  void corruptModelExitsNonZeroNamingTheFile(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("broken.onnx");
    Files.write(model, "this is not a protobuf".getBytes(StandardCharsets.UTF_8));
    Path log = tmp.resolve("corrupt.log");
    Process p = start(log, "--model", model.toString(), "--port", Integer.toString(freePort()));
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(3);
    String out = Files.readString(log);
    assertThat(out).contains(model + ": not a loadable ONNX model");
    assertThat(out).doesNotContain("\tat ");
  }

  static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  @Test
  void fetchCopiesTheModelAndVerifiesItsSha256WithoutStartingTheServer(@TempDir Path tmp)
      throws Exception {
    Path src = EXAMPLES.resolve("iris.onnx");
    String sha = sha256(src);
    Path dest = tmp.resolve("model/iris.onnx");
    Path log = tmp.resolve("fetch.log");
    Process p =
        start(log, "fetch", "--uri", src.toString(), "--dest", dest.toString(), "--sha256", sha);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(Files.readAllBytes(dest)).isEqualTo(Files.readAllBytes(src));
    assertThat(out)
        .isEqualTo(
            "fetched "
                + src
                + " ("
                + Files.size(src)
                + " bytes, sha256 "
                + sha
                + ") to "
                + dest
                + System.lineSeparator());
  }

  @Test
  void fetchWithAWrongSha256ExitsFiveAndWritesNothing(@TempDir Path tmp) throws Exception {
    Path src = EXAMPLES.resolve("iris.onnx");
    String wrong = "0".repeat(64);
    Path dest = tmp.resolve("model/iris.onnx");
    Path log = tmp.resolve("fetch.log");
    Process p =
        start(log, "fetch", "--uri", src.toString(), "--dest", dest.toString(), "--sha256", wrong);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(5);
    assertThat(Files.readString(log))
        .contains("sha256 mismatch for " + src + ": expected " + wrong + ", got " + sha256(src));
    assertThat(dest).doesNotExist();
    try (var left = Files.list(dest.getParent())) {
      assertThat(left).as("no temporary file left behind").isEmpty();
    }
  }

  /**
   * SIGTERM while a request is half-sent: readiness turns false, the request still completes with a
   * prediction, then the process exits.
   */
  @Test
  void sigtermDrainsInFlightRequestsBeforeExiting(@TempDir Path tmp) throws Exception {
    int port = freePort();
    Path log = tmp.resolve("drain.log");
    Process p = serveIris(port, log);

    byte[] body = SETOSA.getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /models/iris/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, 10);
      out.flush();
      Thread.sleep(300);

      p.destroy(); // SIGTERM
      Thread.sleep(300);
      HttpResponse<String> ready = get(port, "/v2/health/ready");
      assertThat(ready.statusCode()).as("readiness while draining").isEqualTo(503);
      Thread.sleep(1200); // past the 1 s drain delay: the server is now waiting for this request

      out.write(body, 10, body.length - 10);
      out.flush();
      String response = readResponse(s.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 200").contains("\"label\":\"setosa\"");
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exited after draining").isTrue();
  }

  private static String readResponse(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    byte[] buf = new byte[4096];
    int n;
    while ((n = in.read(buf)) > 0) {
      b.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      if (b.indexOf("}") > 0 && b.indexOf("\r\n\r\n") > 0) {
        break;
      }
    }
    return b.toString();
  }
}
