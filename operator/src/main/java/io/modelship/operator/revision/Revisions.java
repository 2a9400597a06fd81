package io.modelship.operator.revision;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A revision is the hash of everything that changes pods: the model and its card, the runtime
 * image, resources, batching, auth, queue settings and the transformer container. Replicas,
 * strategy, analysis and traffic are left out, so changing them never starts a rollout.
 */
public final class Revisions {
  /** Hex characters of the hash kept in names and labels. */
  public static final int LENGTH = 10;

  private static final ObjectMapper CANONICAL =
      new ObjectMapper()
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
          .configure(
              com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true);

  private Revisions() {}

  /**
   * The revision of a spec.
   *
   * @param runtimeImage the image the pods will run (the spec's, or the operator's default)
   */
  public static String of(ModelDeploymentSpec spec, String runtimeImage) {
    ObjectNode pod = CANONICAL.createObjectNode();
    pod.set("model", CANONICAL.valueToTree(spec.model));
    pod.put("image", runtimeImage);
    if (spec.runtime != null) {
      pod.set("resources", CANONICAL.valueToTree(spec.runtime.resources));
      pod.set("batching", CANONICAL.valueToTree(spec.runtime.batching));
    }
    if (spec.auth != null) {
      pod.set("auth", CANONICAL.valueToTree(spec.auth));
    }
    if (spec.queue != null) {
      // Topics and group are the pods' arguments: a change rolls out like a new model.
      pod.set("queue", CANONICAL.valueToTree(spec.queue));
    }
    if (spec.transformer != null) {
      pod.set("transformer", CANONICAL.valueToTree(spec.transformer));
    }
    try {
      byte[] canonical = CANONICAL.writeValueAsString(pod).getBytes(StandardCharsets.UTF_8);
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
      return HexFormat.of().formatHex(digest).substring(0, LENGTH);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash spec", e);
    }
  }

  /** {@code <name>-<revision>}: the Deployment and card ConfigMap of a revision. */
  public static String objectName(ModelDeployment md, String revision) {
    return md.getMetadata().getName() + "-" + revision;
  }
}
