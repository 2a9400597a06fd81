package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Writes desired objects with server-side apply under the operator's one field manager. */
@ApplicationScoped
public class Applier {
  public static final String FIELD_MANAGER = "modelship-operator";

  @Inject KubernetesClient client;

  public void apply(HasMetadata desired) {
    client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
  }
}
