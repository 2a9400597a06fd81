package io.modelship.runtime.http;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

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
}
