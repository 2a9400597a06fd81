package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Writes desired objects with server-side apply under the operator's one field manager. */
@ApplicationScoped
public class Applier {
  public static final String FIELD_MANAGER = "modelship-operator";

  /** Holds a share of a Deployment's replicas while its autoscaler takes them over. */
  public static final String REPLICAS_MANAGER = "modelship-operator-replicas";

  @Inject KubernetesClient client;

  public void apply(HasMetadata desired) {
    client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  /**
   * Before {@link #apply} leaves a Deployment's {@code spec.replicas} out (its autoscaler sizes
   * it): a second field manager applies the count the Deployment has, without force. Server-side
   * apply removes a field that its last owner stops applying, and the Deployment would fall back to
   * one replica; with this share the count stays. A conflict means another writer (the autoscaler,
   * or {@code kubectl scale}) set the count since: it owns it, and nothing needs to be done.
   */
  public void shareReplicas(Deployment cached) {
    Deployment share =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(cached.getMetadata().getName())
            .withNamespace(cached.getMetadata().getNamespace())
            .endMetadata()
            .withNewSpec()
            .withReplicas(cached.getSpec().getReplicas())
            .endSpec()
            .build();
    try {
      client.resource(share).fieldManager(REPLICAS_MANAGER).serverSideApply();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409 && e.getCode() != 404) {
        throw e;
      }
    }
  }
}
