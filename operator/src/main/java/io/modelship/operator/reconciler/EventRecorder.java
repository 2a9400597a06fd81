package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * Writes Kubernetes Events about a ModelDeployment; a failure to write one never fails a reconcile.
 */
final class EventRecorder {
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  static final String COMPONENT = "modelship-operator";

  private EventRecorder() {}

  static void record(
      KubernetesClient client, HasMetadata md, boolean warning, String reason, String message) {
    String now = Instant.now().toString();
    String name =
        md.getMetadata().getName()
            + "."
            + Long.toHexString(System.currentTimeMillis())
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000));
    Event e =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(md.getMetadata().getNamespace())
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(md.getApiVersion())
            .withKind(md.getKind())
            .withName(md.getMetadata().getName())
            .withNamespace(md.getMetadata().getNamespace())
            .withUid(md.getMetadata().getUid())
            .withResourceVersion(md.getMetadata().getResourceVersion())
            .endInvolvedObject()
            .withType(warning ? "Warning" : "Normal")
            .withReason(reason)
            .withMessage(message.length() > 1024 ? message.substring(0, 1024) : message)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withReportingComponent(COMPONENT)
            .build();
    try {
      client.v1().events().inNamespace(md.getMetadata().getNamespace()).resource(e).create();
    } catch (KubernetesClientException ex) {
      LOG.warnf(
          "cannot record event %s on %s/%s: %s",
          reason, md.getMetadata().getNamespace(), md.getMetadata().getName(), ex.getMessage());
    }
  }
}
