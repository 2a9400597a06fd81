package io.modelship.operator.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The Kubernetes client's JSON parsing, tuned for watching thousands of objects.
 *
 * <p>Jackson keeps a shared table of the field names it has seen, and a parser that meets a new
 * name copies that table. Kubernetes objects are full of names that are unique per object (the
 * {@code k:{"uid":"..."}} keys of managedFields, one per owner reference), so at a thousand
 * ModelDeployments every watch event copied the table: the client's event loop spent seconds
 * blocked in {@code ByteQuadsCanonicalizer}, requests queued behind it until they timed out, and
 * the leader-election renewal with them (bench/scale.sh). Without the shared table each parser
 * keeps its own names.
 */
@Singleton
public class ClientJson implements KubernetesClientObjectMapperCustomizer {
  @Override
  public void customize(ObjectMapper mapper) {
    mapper.getFactory().disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES);
  }
}
