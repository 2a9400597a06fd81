package io.modelship.runtime;

import io.modelship.runtime.cli.CommandLine;
import io.modelship.runtime.fetch.ModelFetcher;
import io.modelship.runtime.http.HeapDefaults;
import io.modelship.runtime.http.ModelService;
import io.modelship.runtime.queue.KafkaQueue;
import io.modelship.runtime.router.RouterRoutes;
import io.modelship.runtime.scoring.BatchRun;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Arrays;
import sun.misc.Signal;

/**
 * {@code java -jar quarkus-run.jar --model iris.onnx}: maps the flags onto configuration, starts
 * Quarkus, and exits non-zero when the model cannot be served. {@code --mode router --stable URL
 * ...} routes traffic between two revisions instead. {@code fetch ...} brings a model into place,
 * and {@code batch ...} scores files, both without starting Quarkus.
 */
@QuarkusMain
public class Main implements QuarkusApplication {

  /** Exit code for a model or card that cannot be served. */
  static final int EXIT_MODEL = 3;

  @Inject ModelService service;
  @Inject RouterRoutes router;
  @Inject KafkaQueue queue;

  public static void main(String... args) {
    if (args.length > 0 && args[0].equals("fetch")) {
      System.exit(ModelFetcher.run(Arrays.copyOfRange(args, 1, args.length)));
    }
    if (args.length > 0 && args[0].equals("batch")) {
      System.exit(
          BatchRun.run(
              Arrays.copyOfRange(args, 1, args.length),
              failure -> cannotServe(failure, ModelFetcher.TERMINATION_LOG)));
    }
    CommandLine.Parsed parsed = CommandLine.parse(args);
    if (parsed.help()) {
      System.out.println(CommandLine.usage());
      System.exit(0);
    }
    if (parsed.error() != null) {
      System.err.println("modelship: " + parsed.error());
      System.err.println("Run with --help to see the options.");
      System.exit(CommandLine.EXIT_USAGE);
    }
    // System properties outrank environment variables and application.properties, as flags should.
    parsed.properties().forEach(System::setProperty);
    oneEventLoopPerCore();
    connectionLimitFromHeap();
    Quarkus.run(Main.class, args);
  }

  /**
   * Predictions run on the event loops and never block, so more loops than cores only adds context
   * switches: on one core, two loops (Vert.x's default of 2 per core) halved throughput in
   * bench/runtime.sh. An explicit setting wins.
   */
  static void oneEventLoopPerCore() {
    setUnlessSet("quarkus.vertx.event-loops-pool-size", Runtime.getRuntime().availableProcessors());
  }

  /**
   * Without a limit, every connection a flood opens costs heap until the process runs out of it;
   * with one, the surplus is closed as soon as it is accepted. The default follows the heap (see
   * {@link HeapDefaults#maxConnections}); an explicit setting wins.
   */
  static void connectionLimitFromHeap() {
    setUnlessSet(
        "quarkus.http.limits.max-connections",
        HeapDefaults.maxConnections(Runtime.getRuntime().maxMemory()));
  }

  private static void setUnlessSet(String property, int value) {
    String env = property.toUpperCase().replace('.', '_').replace('-', '_');
    if (System.getProperty(property) == null && System.getenv(env) == null) {
      System.setProperty(property, Integer.toString(value));
    }
  }

  /**
   * The exit for a model or card that cannot be served. The reason also goes where Kubernetes reads
   * a container's last words, so the pod's status (and the operator's rollback message) says why,
   * not only the exit code.
   */
  static int cannotServe(String failure, Path terminationLog) {
    ModelFetcher.terminationMessage(terminationLog, "cannot serve the model: " + failure);
    return EXIT_MODEL;
  }

  @Override
  public int run(String... args) {
    if (router.active() && router.failure() != null) {
      return CommandLine.EXIT_USAGE;
    }
    if (queue.failure() != null) {
      return CommandLine.EXIT_USAGE; // the queue settings' problems are logged
    }
    if (service.failure() != null) {
      return cannotServe(service.failure(), ModelFetcher.TERMINATION_LOG);
    }
    // ONNX Runtime closes its native environment in a JVM shutdown hook; a request still running
    // then would crash the process. So SIGTERM and SIGINT stop the application (readiness off,
    // in-flight requests drained) before the JVM begins its shutdown.
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> Quarkus.asyncExit(0));
    }
    Quarkus.waitForExit();
    return 0;
  }
}
