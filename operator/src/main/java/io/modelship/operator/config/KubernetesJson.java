package io.modelship.operator.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * How the operator's Kubernetes client reads JSON: as deeply nested as the API server accepts, and
 * without Jackson's shared table of field names.
 *
 * <p>The API server decodes JSON up to 10,000 levels deep, and {@code spec.model.inputs[].default}
 * is schemaless, so a ModelDeployment can nest a default that deep. Jackson stops at 1,000 by
 * default; the informer that cannot read one ModelDeployment stops, and with it the reconciling of
 * every ModelDeployment. Read that deep, such a default is then cut short ({@code
 * api.ShallowJsonDeserializer}) and refused by the preflight checks, naming the field.
 *
 * <p>Jackson keeps a shared table of the field names it has seen, and a parser that meets a new
 * name copies that table. Kubernetes objects are full of names that are unique per object (the
 * {@code k:{"uid":"..."}} keys of managedFields, one per owner reference), so at a thousand
 * ModelDeployments every watch event copied the table: the client's event loop spent seconds
 * blocked in {@code ByteQuadsCanonicalizer}, requests queued behind it until they timed out, the
 * leader-election renewal with them, and the operator exited (bench/scale.sh). Without the shared
 * table each parser keeps its own names.
 */
@Singleton
public class KubernetesJson implements KubernetesClientObjectMapperCustomizer {
  /** The API server's limit, plus the levels of a list or watch event around the object. */
  public static final int MAX_NESTING_DEPTH = 10_016;

  @Override
  public void customize(ObjectMapper mapper) {
    mapper.getFactory().disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES);
    mapper
        .getFactory()
        .setStreamReadConstraints(
            mapper
                .getFactory()
                .streamReadConstraints()
                .rebuild()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .build());
  }
}
