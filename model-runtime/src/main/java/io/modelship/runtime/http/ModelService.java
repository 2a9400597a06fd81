package io.modelship.runtime.http;

import io.modelship.runtime.api.RequestReader;
import io.modelship.runtime.api.ResponseWriter;
import io.modelship.runtime.batch.BatchPolicy;
import io.modelship.runtime.card.CardException;
import io.modelship.runtime.model.ModelLoadException;
import io.modelship.runtime.model.ServedModel;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Loads the model at start-up and says whether the runtime can take traffic: once the model is
 * loaded and {@link Warmup} is done, until shutdown begins. A model that fails to load leaves
 * {@link #failure()} set; {@code Main} then exits non-zero.
 */
@ApplicationScoped
public class ModelService {
  private static final Logger LOG = Logger.getLogger(ModelService.class);

  /**
   * Everything a request needs, published at once when loading succeeds.
   *
   * @param batching how concurrent requests are batched, or {@code null} when they are not
   */
  public record Loaded(
      ServedModel model,
      RequestReader reader,
      ResponseWriter writer,
      ApiKeys apiKeys,
      BatchPolicy batching) {}

  @Inject RuntimeConfig config;

  private volatile Loaded loaded;
  private volatile String failure;
  private volatile boolean draining;
  private volatile boolean warm;

  void onStart(@Observes StartupEvent event) {
    if (!"serve".equals(config.mode())) {
      return; // router mode serves no model (see RouterRoutes)
    }
    try {
      load();
    } catch (ModelLoadException | CardException | IllegalArgumentException e) {
      failure = e.getMessage();
      LOG.error("cannot serve: " + failure);
    }
  }

  private void load() {
    if (config.model().isEmpty()) {
      throw new ModelLoadException(
          "no model given: pass --model FILE.onnx (or set MODELSHIP_MODEL)");
    }
    BatchPolicy batching =
        BatchPolicy.of(config.batching().maxBatchSize(), config.batching().maxDelayMs());
    ApiKeys keys = config.apiKeysFile().map(ApiKeys::read).orElse(null);
    ServedModel model =
        ServedModel.load(
            config.model().get(), config.card().orElse(null), config.revision().orElse(null));
    warm = config.warmup().requests() == 0;
    loaded =
        new Loaded(
            model,
            new RequestReader(model.signature(), config.maxBodyBytes()),
            new ResponseWriter(model),
            keys,
            batching);
    LOG.infof(
        "serving model %s version %s (revision %s, %d features, %s)%s%s",
        model.name(),
        model.version(),
        model.revision(),
        model.card().inputs().size(),
        model.card().derived() ? "features derived from the graph: no card found" : "card loaded",
        keys == null ? "" : ", API keys required",
        batching == null
            ? ""
            : ", batches of up to "
                + batching.maxBatchSize()
                + " rows after at most "
                + config.batching().maxDelayMs()
                + " ms");
  }

  /** Readiness goes false as soon as shutdown starts, so load balancers stop sending traffic. */
  void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
    draining = true;
  }

  void onShutdown(@Observes ShutdownEvent event) {
    draining = true;
  }

  /** The loaded model, or {@code null} while loading or after a failure. */
  public Loaded loaded() {
    return loaded;
  }

  public String failure() {
    return failure;
  }

  /** Whether the warm-up is over (or off); until then the runtime answers but is not ready. */
  public boolean warm() {
    return warm;
  }

  /** Called by {@link Warmup} when it is done, however it ended. */
  void markWarm() {
    warm = true;
  }

  public boolean ready() {
    return loaded != null && warm && !draining;
  }
}
