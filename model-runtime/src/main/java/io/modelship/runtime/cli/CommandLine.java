package io.modelship.runtime.cli;

import io.modelship.runtime.batch.BatchPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime's flags, each one a shortcut for a configuration property; a pure function from
 * arguments to properties, so it is tested without starting anything.
 */
public final class CommandLine {

  /** Exit code for unusable arguments. */
  public static final int EXIT_USAGE = 2;

  /** More warm-up requests than this only delay readiness (see docs/runtime.md, "Warm-up"). */
  public static final int MAX_WARMUP_REQUESTS = 10_000;

  /** What the arguments asked for: help, an error, or the properties to set. */
  public record Parsed(boolean help, String error, Map<String, String> properties) {}

  private record Option(String flag, String arg, List<String> properties, String help) {}

  private static final List<Option> OPTIONS =
      List.of(
          new Option("--model", "FILE", List.of("modelship.model"), "ONNX model to serve"),
          new Option(
              "--card",
              "FILE",
              List.of("modelship.card"),
              "model card (default: <model>.yaml beside the model, if present)"),
          new Option("--port", "PORT", List.of("quarkus.http.port"), "HTTP port (default 8080)"),
          new Option(
              "--host",
              "ADDRESS",
              List.of("quarkus.http.host"),
              "address to listen on (default 0.0.0.0)"),
          new Option(
              "--api-keys-file",
              "FILE",
              List.of("modelship.api-keys-file"),
              "require one of these keys (one per line) on prediction and metadata endpoints"),
          new Option(
              "--max-queued",
              "COUNT",
              List.of("modelship.max-queued"),
              "large requests waiting for a worker thread at most; more get 503 with Retry-After"
                  + " (default 128)"),
          new Option(
              "--max-batch-size",
              "ROWS",
              List.of("modelship.batching.max-batch-size"),
              "gather concurrent prediction requests into model calls of up to this many rows"
                  + " (default 1: no batching)"),
          new Option(
              "--max-batch-delay-ms",
              "MS",
              List.of("modelship.batching.max-delay-ms"),
              "how long a batch's first request waits for others while the model is free"
                  + " (default 0)"),
          new Option(
              "--max-body-bytes",
              "BYTES",
              List.of("modelship.max-body-bytes"),
              "largest request body accepted (default 1048576)"),
          new Option(
              "--revision",
              "ID",
              List.of("modelship.revision"),
              "revision reported in x-modelship-revision (default: model sha256 prefix)"),
          new Option(
              "--warmup-requests",
              "REQUESTS",
              List.of("modelship.warmup.requests"),
              "prediction requests the runtime sends itself before reporting ready, 0-"
                  + MAX_WARMUP_REQUESTS
                  + " (default 60; 0: no warm-up)"),
          new Option(
              "--queue",
              "QUEUE",
              List.of("modelship.queue.type"),
              "kafka: also take prediction requests from a Kafka topic and write the replies to"
                  + " another (docs/queue.md)"),
          new Option(
              "--kafka-bootstrap",
              "HOST:PORT",
              List.of("modelship.queue.kafka-bootstrap"),
              "queue: Kafka's bootstrap servers, host:port[,...]"),
          new Option(
              "--kafka-config",
              "FILE",
              List.of("modelship.queue.kafka-config"),
              "queue: Java properties file of further Kafka client settings (TLS, SASL)"),
          new Option(
              "--request-topic",
              "TOPIC",
              List.of("modelship.queue.request-topic"),
              "queue: the topic prediction requests are read from"),
          new Option(
              "--reply-topic",
              "TOPIC",
              List.of("modelship.queue.reply-topic"),
              "queue: the topic predictions are written to"),
          new Option(
              "--dead-letter-topic",
              "TOPIC",
              List.of("modelship.queue.dead-letter-topic"),
              "queue: the topic refused and failed requests are written to, with the reason"),
          new Option(
              "--consumer-group",
              "GROUP",
              List.of("modelship.queue.consumer-group"),
              "queue: the Kafka consumer group (default modelship-<model name>)"),
          new Option(
              "--mode",
              "MODE",
              List.of("modelship.mode"),
              "serve (a model, the default) or router (traffic between two revisions)"),
          new Option(
              "--stable",
              "URLS",
              List.of("modelship.router.stable"),
              "router: the stable revision's endpoints, http://host:port[,...]"),
          new Option(
              "--candidate",
              "URLS",
              List.of("modelship.router.candidate"),
              "router: the candidate revision's endpoints"),
          new Option(
              "--stable-revision",
              "ID",
              List.of("modelship.router.stable-revision"),
              "router: the stable revision's name in /stats and metrics (default stable)"),
          new Option(
              "--candidate-revision",
              "ID",
              List.of("modelship.router.candidate-revision"),
              "router: the candidate revision's name (default candidate)"),
          new Option(
              "--candidate-weight",
              "PERCENT",
              List.of("modelship.router.candidate-weight"),
              "router: share of requests the candidate answers, 0-100 (default 0)"),
          new Option(
              "--match-header",
              "NAME=VALUE",
              List.of("modelship.router.match-header"),
              "router: requests with this header value always go to the candidate (A/B)"),
          new Option(
              "--mirror-percent",
              "PERCENT",
              List.of("modelship.router.mirror-percent"),
              "router: share of requests also sent to the candidate and compared (Shadow)"),
          new Option(
              "--admin-token-file",
              "FILE",
              List.of("modelship.router.admin-token-file"),
              "router: tokens (one per line) that may change the route table (PUT /router/table)"),
          new Option(
              "--preview-port",
              "PORT",
              List.of("modelship.router.preview-port"),
              "router: also listen here; every request on it goes to the candidate (BlueGreen"
                  + " preview), or to the stable revision when there is none"),
          new Option(
              "--table-file",
              "FILE",
              List.of("modelship.router.table-file"),
              "router: route by this JSON table instead of the flags; re-read when it changes"));

  private CommandLine() {}

  public static Parsed parse(String... args) {
    Map<String, String> props = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return new Parsed(true, null, Map.of());
      }
      Flag split = Flag.split(a);
      String flag = split.name();
      String value = split.inlineValue();
      Option opt = find(flag);
      if (opt == null) {
        return new Parsed(false, "unknown option " + a, Map.of());
      }
      if (value == null) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
          return new Parsed(false, flag + " needs a value (" + opt.arg() + ")", Map.of());
        }
        value = args[++i];
      }
      String problem = check(opt, value);
      if (problem != null) {
        return new Parsed(false, flag + ": " + problem, Map.of());
      }
      for (String p : opt.properties()) {
        props.put(p, value);
      }
    }
    return new Parsed(false, null, props);
  }

  private static Option find(String flag) {
    return OPTIONS.stream().filter(o -> o.flag().equals(flag)).findFirst().orElse(null);
  }

  private static String check(Option opt, String value) {
    if (value.isBlank()) {
      return "must not be empty";
    }
    switch (opt.arg()) {
      case "PORT" -> {
        Integer p = integer(value);
        if (p == null || p < 0 || p > 65535) {
          return "must be a port number 0-65535 (got " + value + ")";
        }
      }
      case "PERCENT" -> {
        Integer b = integer(value);
        if (b == null || b < 0 || b > 100) {
          return "must be a percentage 0-100 (got " + value + ")";
        }
      }
      case "QUEUE" -> {
        if (!value.equals("kafka")) {
          return "must be kafka (got " + value + ")";
        }
      }
      case "TOPIC" -> {
        if (!io.modelship.runtime.queue.QueueSettings.TOPIC.matcher(value).matches()) {
          return "not a Kafka topic name: letters, digits, '.', '_', '-', at most 249 (got "
              + value
              + ")";
        }
      }
      case "MODE" -> {
        if (!value.equals("serve") && !value.equals("router")) {
          return "must be serve or router (got " + value + ")";
        }
      }
      case "BYTES" -> {
        Integer b = integer(value);
        if (b == null || b < 1) {
          return "must be a positive number of bytes (got " + value + ")";
        }
      }
      case "ROWS" -> {
        Integer c = integer(value);
        if (c == null || c < 1 || c > BatchPolicy.MAX_BATCH_SIZE) {
          return "must be a number of rows 1-"
              + BatchPolicy.MAX_BATCH_SIZE
              + " (got "
              + value
              + ")";
        }
      }
      case "MS" -> {
        Integer c = integer(value);
        if (c == null || c < 0 || c > BatchPolicy.MAX_DELAY_MS) {
          return "must be a number of milliseconds 0-"
              + BatchPolicy.MAX_DELAY_MS
              + " (got "
              + value
              + ")";
        }
      }
      case "REQUESTS" -> {
        Integer c = integer(value);
        if (c == null || c < 0 || c > MAX_WARMUP_REQUESTS) {
          return "must be a number of requests 0-" + MAX_WARMUP_REQUESTS + " (got " + value + ")";
        }
      }
      case "COUNT" -> {
        Integer c = integer(value);
        if (c == null || c < 1) {
          return "must be a positive number (got " + value + ")";
        }
      }
      default -> {}
    }
    return null;
  }

  private static Integer integer(String s) {
    try {
      return Integer.valueOf(s.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public static String usage() {
    StringBuilder b =
        new StringBuilder(
            "Usage: java -jar quarkus-run.jar --model FILE.onnx [options]\n"
                + "       java -jar quarkus-run.jar --mode router --stable URL [--candidate URL"
                + " --candidate-weight N] [options]\n\n"
                + "Serves one ONNX model over HTTP: POST /models/{name}/predict (readable JSON),\n"
                + "POST /v1/models/{name}:predict (KServe v1), POST /v2/models/{name}/infer (Open"
                + " Inference\nProtocol v2), OpenAPI at /q/openapi, Swagger UI at /q/swagger-ui,"
                + " metrics at /q/metrics.\n\nOptions (flag = configuration property ="
                + " environment variable):\n");
    for (Option o : OPTIONS) {
      String prop = o.properties().get(0);
      b.append(String.format("  %-26s %s%n", o.flag() + " " + o.arg(), o.help()));
      b.append(
          String.format(
              "  %-26s   = %s = %s%n",
              "", prop, prop.toUpperCase().replace('.', '_').replace('-', '_')));
    }
    b.append(String.format("  %-26s %s%n", "-h, --help", "print this help and exit"));
    b.append(
        "\nAny Quarkus property works too (-Dquarkus.shutdown.timeout=30s, QUARKUS_LOG_LEVEL=DEBUG).\n"
            + "Exit codes: 0 stopped normally, 2 bad arguments (or router or queue settings), 3 model or card cannot be served.\n"
            + "To copy or download a model and exit (init containers): java -jar quarkus-run.jar"
            + " fetch --help\n"
            + "To score CSV or JSON-lines files and exit: java -jar quarkus-run.jar batch --help");
    return b.toString();
  }
}
