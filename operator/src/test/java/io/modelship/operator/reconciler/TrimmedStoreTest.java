package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.modelship.operator.api.ModelDeployment;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrimmedStoreTest {
  private static final ManagedFieldsEntryBuilder APPLY =
      new ManagedFieldsEntryBuilder().withManager("modelship-operator").withOperation("Apply");

  @Test
  void aPodKeepsItsLabelsAndStatusButNotItsSpecOrManagedFields() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("iris-abc-1")
            .withNamespace("models")
            .withLabels(Map.of("modelship.io/revision", "abc"))
            .withManagedFields(APPLY.build())
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("runtime")
            .endContainer()
            .endSpec()
            .withNewStatus()
            .withPodIP("10.244.0.9")
            .endStatus()
            .build();
    TrimmedStore<Pod> store = TrimmedStore.of(Pod.class);

    store.put(store.getKey(pod), pod);

    Pod kept = store.get("models/iris-abc-1");
    assertThat(kept.getSpec()).isNull();
    assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(kept.getMetadata().getLabels()).containsEntry("modelship.io/revision", "abc");
    assertThat(kept.getStatus().getPodIP()).isEqualTo("10.244.0.9");
    assertThat(Observations.readyEndpoints(store.values().toList(), 8080)).isEmpty();
  }

  @Test
  void aDeploymentKeepsItsSpecForDriftChecks() {
    Deployment d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("iris-abc")
            .withNamespace("models")
            .withManagedFields(APPLY.build())
            .endMetadata()
            .withNewSpec()
            .withReplicas(2)
            .endSpec()
            .build();
    TrimmedStore<Deployment> store = TrimmedStore.of(Deployment.class);

    store.put(store.getKey(d), d);

    Deployment kept = store.get(Cache.namespaceKeyFunc("models", "iris-abc"));
    assertThat(kept.getSpec().getReplicas()).isEqualTo(2);
    assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.keySet()).containsExactly("models/iris-abc");
    assertThat(store.remove("models/iris-abc")).isSameAs(kept);
    assertThat(store.size()).isZero();
  }

  @Test
  void theModelDeploymentsStoreDropsManagedFieldsOnly() {
    ModelDeployment md = new ModelDeployment();
    md.getMetadata().setName("iris");
    md.getMetadata().setNamespace("models");
    md.getMetadata().setManagedFields(java.util.List.of(APPLY.build()));
    TrimmedStore<ModelDeployment> store = new TrimmedStore<>();

    store.put(store.getKey(md), md);

    assertThat(store.get("models/iris").getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(store.get("models/iris").getMetadata().getName()).isEqualTo("iris");
  }
}
