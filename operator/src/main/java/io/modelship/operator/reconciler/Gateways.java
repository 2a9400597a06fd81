package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.desired.GatewayObjects;
import io.modelship.operator.strategy.Failure;

/**
 * The API side of the GatewayAPI provider: whether the cluster serves HTTPRoutes, and the live
 * route. The operator keeps no informer on HTTPRoutes (the CRD may be absent, and only
 * ModelDeployments with this provider have one): it reads the route when it reconciles such a
 * ModelDeployment, and writes it only when its content changed.
 */
final class Gateways {
  static final ResourceDefinitionContext ROUTES =
      new ResourceDefinitionContext.Builder()
          .withGroup("gateway.networking.k8s.io")
          .withVersion("v1")
          .withKind(GatewayObjects.KIND)
          .withPlural("httproutes")
          .withNamespaced(true)
          .build();

  private Gateways() {}

  /** A failure when the cluster has no HTTPRoute API, else null. */
  static Failure missingApi(KubernetesClient client) {
    APIResourceList list = client.getApiResources(GatewayObjects.API_VERSION);
    boolean served =
        list != null
            && list.getResources() != null
            && list.getResources().stream().anyMatch(r -> "httproutes".equals(r.getName()));
    return served
        ? null
        : new Failure(
            "GatewayAPINotInstalled",
            "spec.traffic.provider GatewayAPI: this cluster does not serve HTTPRoute ("
                + GatewayObjects.API_VERSION
                + "); install the Gateway API CRDs and an implementation, or use the Router"
                + " provider");
  }

  static GenericKubernetesResource live(KubernetesClient client, ModelDeployment md) {
    return client
        .genericKubernetesResources(ROUTES)
        .inNamespace(md.getMetadata().getNamespace())
        .withName(md.getMetadata().getName())
        .get();
  }
}
