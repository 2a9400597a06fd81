package io.modelship.runtime.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelship.runtime.cli.CommandLine;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FetchCommandTest {
  static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  @Test
  void parsesEveryOption() {
    FetchCommand.Parsed p =
        FetchCommand.parse(
            "--uri",
            "https://models.example/iris.onnx",
            "--dest=/models/iris.onnx",
            "--sha256",
            SHA.toUpperCase(),
            "--timeout-seconds",
            "5",
            "--max-bytes=1024",
            "--allow-http");
    assertThat(p.error()).isNull();
    assertThat(p.help()).isFalse();
    assertThat(p.request())
        .isEqualTo(
            new FetchCommand.Request(
                "https://models.example/iris.onnx",
                Path.of("/models/iris.onnx"),
                SHA,
                Duration.ofSeconds(5),
                1024,
                true));
  }

  @Test
  void hasDefaults() {
    FetchCommand.Request r = FetchCommand.parse("--uri", "/a/m.onnx", "--dest", "m.onnx").request();
    assertThat(r.sha256()).isNull();
    assertThat(r.maxBytes()).isEqualTo(2L * 1024 * 1024 * 1024);
    assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(FetchCommand.DEFAULT_TIMEOUT_SECONDS));
    assertThat(r.allowHttp()).isFalse();
  }

  @Test
  void helpWinsOverEverythingElse() {
    assertThat(FetchCommand.parse("--bogus", "--help").help()).isTrue();
    assertThat(FetchCommand.parse("-h").help()).isTrue();
    assertThat(FetchCommand.usage())
        .contains(
            "--uri URI",
            "--dest FILE",
            "--sha256 HEX",
            "--timeout-seconds N",
            "--max-bytes N",
            "--allow-http",
            "/dev/termination-log",
            "Exit codes: 0 fetched, 2 bad arguments, 3 source not found",
            "4 unsupported scheme",
            "5 sha256 mismatch, 6 too large");
    assertThat(CommandLine.usage()).contains("fetch --help");
  }

  @Test
  void refusesUnknownMissingAndMalformedArguments() {
    assertThat(FetchCommand.parse("--url", "x").error()).isEqualTo("unknown option --url");
    assertThat(FetchCommand.parse("--dest", "m.onnx").error()).isEqualTo("--uri is required");
    assertThat(FetchCommand.parse("--uri", "/m.onnx").error()).isEqualTo("--dest is required");
    assertThat(FetchCommand.parse().error()).isEqualTo("--uri is required");
    assertThat(FetchCommand.parse("--uri", "--dest", "m").error())
        .isEqualTo("--uri needs a value (URI)");
    assertThat(FetchCommand.parse("--uri=", "--dest", "m").error())
        .isEqualTo("--uri: must not be empty");
    assertThat(FetchCommand.parse("--uri", "a", "--uri", "b", "--dest", "m").error())
        .isEqualTo("--uri given more than once");
    assertThat(FetchCommand.parse("--uri", "a", "--dest", "m", "--allow-http=yes").error())
        .isEqualTo("--allow-http takes no value");
    assertThat(FetchCommand.parse("--uri", "a", "--dest", "m", "--sha256", "abc").error())
        .isEqualTo("--sha256: must be 64 hexadecimal digits (got abc)");
    assertThat(
            FetchCommand.parse("--uri", "a", "--dest", "m", "--sha256", SHA.replace('f', 'g'))
                .error())
        .startsWith("--sha256: must be 64 hexadecimal digits");
    assertThat(FetchCommand.parse("--uri", "a", "--dest", "m", "--sha256", SHA + "0").error())
        .startsWith("--sha256: must be 64 hexadecimal digits");
    assertThat(FetchCommand.parse("--uri", "a", "--dest", "m", "--max-bytes", "0").error())
        .isEqualTo("--max-bytes: must be a positive number of bytes (got 0)");
    assertThat(FetchCommand.parse("--uri", "a", "--dest", "m", "--timeout-seconds", "x").error())
        .isEqualTo("--timeout-seconds: must be a positive number of seconds (got x)");
  }
}
