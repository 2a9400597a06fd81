package io.modelship.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * Starts the packaged runtime as a user would ({@code java -jar quarkus-run.jar ...}) and talks to
 * it over real HTTP on loopback; every process a test starts is killed after it.
 */
abstract class JarHarness {
  static final Path JAR =
      Path.of(System.getProperty("modelship.runner", "target/quarkus-app/quarkus-run.jar"));
  static final Path EXAMPLES =
      Path.of(System.getProperty("modelship.examples", "../examples/models"));
  static final String SETOSA =
      "{\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,\"petal_width\":0.2}";

  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  Process start(Path log, String... args) throws IOException {
    return start(log, java.util.Map.of(), List.of(), args);
  }

  /** Starts the runtime with these environment variables added to the test's. */
  Process start(Path log, java.util.Map<String, String> env, String... args) throws IOException {
    return start(log, env, List.of(), args);
  }

  /** Starts the runtime with these JVM options (heap size, -D properties) before {@code -jar}. */
  Process start(Path log, List<String> jvmOptions, String... args) throws IOException {
    return start(log, java.util.Map.of(), jvmOptions, args);
  }

  /** Starts the runtime with environment variables added and JVM options before {@code -jar}. */
  Process start(
      Path log, java.util.Map<String, String> env, List<String> jvmOptions, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of("java"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder b =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    b.environment().putAll(env);
    Process p = b.start();
    started.add(p);
    return p;
  }

  HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(int port, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(5))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  void awaitReady(int port, Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("runtime exited early:\n%s", Files.readString(log)).isTrue();
      try {
        if (get(port, "/v2/health/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("runtime not ready in 30 s:\n" + Files.readString(log));
  }

  /** Starts the runtime on the Iris example on loopback and waits until it is ready. */
  Process serveIris(int port, Path log) throws Exception {
    return serveIris(port, log, List.of());
  }

  /** As {@link #serveIris(int, Path)}, with these JVM options before {@code -jar}. */
  Process serveIris(int port, Path log, List<String> jvmOptions) throws Exception {
    Process p = start(log, jvmOptions, irisArgs(port));
    awaitReady(port, p, log);
    return p;
  }

  /** The arguments that serve the Iris example on loopback, followed by {@code extra}. */
  static String[] irisArgs(int port, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--model",
                EXAMPLES.resolve("iris.onnx").toString(),
                "--port",
                Integer.toString(port),
                "--host",
                "127.0.0.1"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }
}
