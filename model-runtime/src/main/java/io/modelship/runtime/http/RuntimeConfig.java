package io.modelship.runtime.http;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The runtime's settings: {@code modelship.*} in application.properties, {@code MODELSHIP_*}
 * environment variables, or the command-line flags that {@code Main} maps onto them.
 */
@ConfigMapping(prefix = "modelship")
public interface RuntimeConfig {

  /** The ONNX model file to serve ({@code --model}). */
  Optional<Path> model();

  /** The model card; default {@code <model>.yaml} beside the model ({@code --card}). */
  Optional<Path> card();

  /** The revision reported in {@code x-modelship-revision}; default the model's sha256 prefix. */
  Optional<String> revision();

  /** A file of API keys, one per line; when set, prediction and metadata endpoints need one. */
  Optional<Path> apiKeysFile();

  /** Largest request body accepted, in bytes ({@code --max-body-bytes}). */
  @WithDefault("1048576")
  long maxBodyBytes();

  /** Bodies larger than this are predicted on a worker thread instead of the event loop. */
  @WithDefault("65536")
  int inlineBodyBytes();

  /**
   * Large requests waiting for or running on a worker thread at most; more are answered 503 with
   * Retry-After at once, so an overload costs neither unbounded memory nor unbounded latency
   * ({@code --max-queued}).
   */
  @WithDefault("128")
  int maxQueued();

  /** Dynamic batching of concurrent prediction requests; off by default. */
  Batching batching();

  /**
   * Concurrent requests gathered into one model call. Pays off when the model's own work is a large
   * share of a request's cost (see docs/runtime.md, "Dynamic batching").
   */
  interface Batching {
    /**
     * Rows per model call at most; 1, the default, turns batching off ({@code --max-batch-size}).
     */
    @WithDefault("1")
    int maxBatchSize();

    /**
     * How long the first request of a batch waits for others while the model is free, in
     * milliseconds; 0 waits only for the requests that arrived with it ({@code
     * --max-batch-delay-ms}).
     */
    @WithDefault("0")
    int maxDelayMs();
  }

  /** Requests the runtime sends itself before it reports ready (serve mode). */
  Warmup warmup();

  /**
   * Before readiness, the runtime predicts one row built from the card through each prediction API,
   * over HTTP on loopback, so that a new pod's first client requests do not pay for class loading
   * and the first compilations (see docs/runtime.md, "Warm-up"). Warm-up requests are left out of
   * the metrics.
   */
  interface Warmup {
    /**
     * How many, in turn through the three APIs; 0 turns warm-up off ({@code --warmup-requests}).
     */
    @WithDefault("60")
    int requests();

    /** Ready after this long even when requests remain, or one is still unanswered. */
    @WithDefault("10s")
    Duration timeout();
  }

  /** Queue mode: prediction requests from Kafka as well as over HTTP (docs/queue.md). */
  Queue queue();

  /** Where queue mode reads requests and writes replies; off unless {@code type} is set. */
  interface Queue {
    /** {@code kafka} turns queue mode on ({@code --queue}). */
    Optional<String> type();

    /** Kafka's bootstrap servers, {@code host:port[,...]} ({@code --kafka-bootstrap}). */
    Optional<String> kafkaBootstrap();

    /**
     * A Java properties file of further Kafka client settings (TLS, SASL) ({@code --kafka-config}).
     */
    Optional<Path> kafkaConfig();

    /** The topic requests are read from ({@code --request-topic}). */
    Optional<String> requestTopic();

    /** The topic replies are written to ({@code --reply-topic}). */
    Optional<String> replyTopic();

    /** The topic refused and failed requests go to ({@code --dead-letter-topic}). */
    Optional<String> deadLetterTopic();

    /** The consumer group; default {@code modelship-<model name>} ({@code --consumer-group}). */
    Optional<String> consumerGroup();

    /** Requests taken per poll at most, and so per model call. */
    @WithDefault("500")
    int maxPollRecords();

    /** Times a failed model call is tried again before the requests are tried alone. */
    @WithDefault("2")
    int modelRetries();

    /** Wait before the first retry; the n-th waits n times as long. */
    @WithDefault("100ms")
    Duration retryBackoff();

    /** Readiness turns false when the consumer loop has not come round for this long. */
    @WithDefault("30s")
    Duration stallTimeout();
  }

  /** {@code serve} (a model) or {@code router} (traffic between two revisions) ({@code --mode}). */
  @WithDefault("serve")
  String mode();

  /** Router mode's settings. */
  RouterSettings router();

  /** Router mode: where requests go and how they are split. */
  interface RouterSettings {
    /**
     * The stable revision's endpoints, comma-separated {@code http://host:port} ({@code --stable}).
     */
    Optional<String> stable();

    /** The candidate revision's endpoints ({@code --candidate}). */
    Optional<String> candidate();

    /** Name reported for the stable revision when its answers carry none. */
    @WithDefault("stable")
    String stableRevision();

    /** Name reported for the candidate revision when its answers carry none. */
    @WithDefault("candidate")
    String candidateRevision();

    /** Percentage of requests the candidate answers ({@code --candidate-weight}). */
    @WithDefault("0")
    int candidateWeight();

    /** {@code name=value}: requests with this header always go to the candidate. */
    Optional<String> matchHeader();

    /** Percentage of the stable's requests copied to the candidate and compared. */
    @WithDefault("0")
    int mirrorPercent();

    /** Mirror copies in flight at most; more are dropped (and counted), never queued. */
    @WithDefault("64")
    int mirrorMaxInFlight();

    /** How long an upstream may take to answer before the client gets a 504. */
    @WithDefault("10s")
    Duration upstreamTimeout();

    /** Relative tolerance when comparing mirrored numeric predictions. */
    @WithDefault("0.000001")
    double compareTolerance();

    /**
     * A file of tokens (one per line) for {@code PUT /router/table}; without it the route table
     * cannot be changed at run time ({@code --admin-token-file}).
     */
    Optional<Path> adminTokenFile();

    /**
     * A second port whose requests all go to the candidate, or to the stable revision when there is
     * none: the preview of a BlueGreen rollout, counted with the candidate's requests ({@code
     * --preview-port}).
     */
    OptionalInt previewPort();

    /**
     * A JSON route table (the body {@code PUT /router/table} takes) to route by instead of the
     * flags; read at start and again whenever it changes ({@code --table-file}).
     */
    Optional<Path> tableFile();
  }
}
