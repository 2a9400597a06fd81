package io.modelship.runtime.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single-file jar for laptops and devices (docs/edge.md), run the way the docs say: copied
 * alone into an empty directory and started through {@code scripts/edge-run.sh}, whose first run
 * unpacks ONNX Runtime's libraries and writes an AppCDS archive at exit, and whose later runs use
 * both.
 */
class EdgeJarIT extends JarHarness {
  static final Path UBER_JAR =
      Path.of(
          System.getProperty(
              "modelship.edge-runner", "target/model-runtime-0.1.0-SNAPSHOT-runner.jar"));
  static final Path LAUNCHER =
      Path.of(System.getProperty("modelship.edge-launcher", "../scripts/edge-run.sh"));
  static final String PLATFORM =
      (System.getProperty("os.name").startsWith("Mac") ? "osx" : "linux")
          + (System.getProperty("os.arch").equals("aarch64") ? "-aarch64" : "-x64");
  static final String LIBRARY =
      System.getProperty("os.name").startsWith("Mac")
          ? "libonnxruntime.dylib"
          : "libonnxruntime.so";

  @BeforeAll
  static void built() {
    assumeFalse(Boolean.getBoolean("modelship.edge.skip"), "uber-jar not built (-Dedge.skip=true)");
  }

  @Test
  void carriesThisPlatformsOnnxRuntimeButNoDebugSymbols() throws IOException {
    assertThat(UBER_JAR).isRegularFile();
    try (ZipFile jar = new ZipFile(UBER_JAR.toFile())) {
      assertThat(jar.getEntry("ai/onnxruntime/native/" + PLATFORM + "/" + LIBRARY))
          .as("ONNX Runtime for %s", PLATFORM)
          .isNotNull();
      assertThat(
              jar.stream()
                  .map(e -> e.getName())
                  .filter(n -> n.endsWith(".pdb") || n.contains(".dSYM/") && !n.endsWith("/")))
          .as("debug symbols")
          .isEmpty();
    }
    assertThat(Files.size(UBER_JAR)).as("jar size").isLessThan(80L << 20);
  }

  @Test
  void servesFromAnEmptyDirectoryThroughTheLauncherWithAnAppCdsArchive(@TempDir Path tmp)
      throws Exception {
    Path device = Files.createDirectories(tmp.resolve("device"));
    Path jar = Files.copy(UBER_JAR, device.resolve(UBER_JAR.getFileName()));
    Path cache = tmp.resolve("cache");
    Path cds = cache.resolve("cds");

    // First run: serves, and writes the archive when SIGTERM ends it.
    int port = freePort();
    Path first = tmp.resolve("first.log");
    Process p = launch(first, jar, cache, irisArgs(port, "--warmup-requests", "0"));
    awaitReady(port, p, first);
    assertPredicts(port);
    p.destroy();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited on SIGTERM").isTrue();
    List<Path> archives = list(cds);
    assertThat(archives).as("AppCDS archive written at exit").hasSize(1);
    assertThat(Files.size(archives.get(0))).isGreaterThan(1L << 20);
    if (onPath("unzip")) {
      try (Stream<Path> s = Files.walk(cache.resolve("native"))) {
        assertThat(s.map(f -> f.getFileName().toString()))
            .as("ONNX Runtime's libraries unpacked once, for -Donnxruntime.native.path")
            .contains(LIBRARY, ".complete");
      }
    } else {
      assertThat(cache.resolve("native")).as("without unzip, loaded from the jar").doesNotExist();
    }

    // Second run: uses it, and the JVM accepts it (it warns and goes on without when it does not).
    port = freePort();
    Path second = tmp.resolve("second.log");
    p =
        launch(
            second,
            jar,
            cache,
            irisArgs(port, "--warmup-requests", "0"),
            "-Xshare:on" /* fail instead of running without the archive */);
    awaitReady(port, p, second);
    assertPredicts(port);
    assertThat(list(cds)).isEqualTo(archives);
  }

  @Test
  void fetchRunsFromTheJarAlone(@TempDir Path tmp) throws Exception {
    Path jar = Files.copy(UBER_JAR, tmp.resolve(UBER_JAR.getFileName()));
    Path dest = tmp.resolve("models/iris.onnx");
    Path log = tmp.resolve("fetch.log");
    Process p =
        launch(
            log,
            jar,
            tmp.resolve("cache"),
            new String[] {
              "fetch", "--uri", EXAMPLES.resolve("iris.onnx").toString(), "--dest", dest.toString()
            });
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    assertThat(Files.readAllBytes(dest))
        .isEqualTo(Files.readAllBytes(EXAMPLES.resolve("iris.onnx")));
    assertThat(tmp.resolve("cache"))
        .as("nothing cached for a command that exits at once")
        .doesNotExist();
  }

  private void assertPredicts(int port) throws Exception {
    HttpResponse<String> r = post(port, "/models/iris/predict", SETOSA);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"label\":\"setosa\"", "\"model\":\"iris\"");
  }

  private Process launch(Path log, Path jar, Path cache, String[] args, String... javaOpts)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder b =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    b.environment()
        .putAll(
            Map.of(
                "EDGE_JAR", jar.toString(),
                "EDGE_CACHE_DIR", cache.toString(),
                "JAVA_OPTS", String.join(" ", javaOpts)));
    Process p = b.start();
    started.add(p);
    return p;
  }

  private static boolean onPath(String program) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
        .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
  }

  private static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
