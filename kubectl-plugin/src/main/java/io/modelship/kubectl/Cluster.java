package io.modelship.kubectl;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.desired.Labels;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The plugin's reads and writes: thin, every decision is elsewhere. */
final class Cluster {
  /** Events shown by {@code status}. */
  static final int EVENTS = 6;

  private final KubernetesClient client;

  Cluster(KubernetesClient client) {
    this.client = client;
  }

  List<ModelDeployment> list(String namespace) {
    var r = client.resources(ModelDeployment.class);
    List<ModelDeployment> items =
        namespace == null
            ? r.inAnyNamespace().list().getItems()
            : r.inNamespace(namespace).list().getItems();
    List<ModelDeployment> sorted = new ArrayList<>(items);
    sorted.sort(
        Comparator.comparing((ModelDeployment m) -> m.getMetadata().getNamespace())
            .thenComparing(m -> m.getMetadata().getName()));
    return sorted;
  }

  /** The ModelDeployment, or null when there is none of that name. */
  ModelDeployment get(String namespace, String name) {
    return client.resources(ModelDeployment.class).inNamespace(namespace).withName(name).get();
  }

  Snapshot snapshot(ModelDeployment md) {
    String ns = md.getMetadata().getNamespace();
    String name = md.getMetadata().getName();
    List<Snapshot.Workload> workloads = new ArrayList<>();
    for (Deployment d :
        client
            .apps()
            .deployments()
            .inNamespace(ns)
            .withLabel(Labels.NAME, name)
            .list()
            .getItems()) {
      var labels = d.getMetadata().getLabels();
      workloads.add(
          new Snapshot.Workload(
              d.getMetadata().getName(),
              labels == null ? null : labels.get(Labels.REVISION),
              d.getSpec() == null || d.getSpec().getReplicas() == null
                  ? 0
                  : d.getSpec().getReplicas(),
              d.getStatus() == null || d.getStatus().getReadyReplicas() == null
                  ? 0
                  : d.getStatus().getReadyReplicas()));
    }
    workloads.sort(
        Comparator.comparing((Snapshot.Workload w) -> w.revision() == null ? 1 : 0)
            .thenComparing(Snapshot.Workload::name));
    List<Snapshot.EventLine> events = new ArrayList<>();
    for (Event e :
        client
            .v1()
            .events()
            .inNamespace(ns)
            .withField("involvedObject.name", name)
            .list()
            .getItems()) {
      if (e.getInvolvedObject() == null
          || !"ModelDeployment".equals(e.getInvolvedObject().getKind())
          || !name.equals(e.getInvolvedObject().getName())) {
        continue;
      }
      events.add(
          new Snapshot.EventLine(
              when(e),
              e.getType(),
              e.getReason(),
              e.getMessage(),
              e.getCount() == null ? 1 : e.getCount()));
    }
    events.sort(
        Comparator.comparing(
            Snapshot.EventLine::at, Comparator.nullsFirst(Comparator.naturalOrder())));
    if (events.size() > EVENTS) {
      events = new ArrayList<>(events.subList(events.size() - EVENTS, events.size()));
    }
    return new Snapshot(md, workloads, events, Instant.now());
  }

  void patch(String namespace, String name, String mergePatch) {
    client
        .resources(ModelDeployment.class)
        .inNamespace(namespace)
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }

  private static Instant when(Event e) {
    for (String t :
        new String[] {
          e.getLastTimestamp(),
          e.getEventTime() == null ? null : e.getEventTime().getTime(),
          e.getFirstTimestamp(),
          e.getMetadata() == null ? null : e.getMetadata().getCreationTimestamp()
        }) {
      if (t != null && !t.isEmpty()) {
        try {
          return Instant.parse(t);
        } catch (DateTimeParseException ex) {
          // try the next one
        }
      }
    }
    return null;
  }
}
