package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.Mock;

/**
 * fabric8's mock API server does not implement server-side apply, so tests write the same desired
 * objects with create-or-replace. Apply semantics are exercised against a real API server in e2e.
 */
@Mock
public class MockServerApplier extends Applier {
  @Override
  public void apply(HasMetadata desired) {
    HasMetadata existing = client.resource(desired).get();
    if (existing == null) {
      client.resource(desired).create();
      return;
    }
    // A real API server keeps status on spec writes; the mock replaces the whole object.
    if (desired instanceof Deployment d && existing instanceof Deployment e) {
      d.setStatus(e.getStatus());
      if (d.getSpec().getReplicas() == null) {
        // Applied without replicas, a field another writer owns stays as it is (shareReplicas).
        d.getSpec().setReplicas(e.getSpec().getReplicas());
      }
    }
    client.resource(desired).update();
  }

  /** Nothing to share without field managers: {@link #apply} keeps the count itself. */
  @Override
  public void shareReplicas(Deployment cached) {}
}
