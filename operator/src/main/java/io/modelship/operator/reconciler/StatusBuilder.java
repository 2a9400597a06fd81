package io.modelship.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.Phase;
import io.modelship.operator.api.TrafficStatus;
import io.modelship.operator.strategy.Decision;
import io.modelship.operator.strategy.Failure;
import io.modelship.operator.strategy.RevisionState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the status a decision leads to, in one place. Conditions follow Kubernetes conventions:
 * {@code Ready}, {@code Progressing}, {@code Available}, {@code Degraded}, plus kstatus's
 * abnormal-true {@code Reconciling} and {@code Stalled} so Flux and kstatus-based tools read it. A
 * condition keeps its lastTransitionTime while its status stays the same.
 */
public final class StatusBuilder {
  /**
   * The longest condition message kept: what Kubernetes allows a condition's message. Messages
   * quote what users wrote and what pods reported; a status holds each twice (Degraded and
   * Stalled), and one too large to store would leave the status stale at every reconcile.
   */
  static final int MAX_MESSAGE = 32768;

  private StatusBuilder() {}

  /**
   * @param stableState what is observed of the stable revision
   * @param now RFC 3339 time for new transitions
   */
  public static ModelDeploymentStatus build(
      ModelDeployment md, Decision d, RevisionState stableState, String url, String now) {
    ModelDeploymentStatus previous =
        md.getStatus() == null ? new ModelDeploymentStatus() : md.getStatus();
    ModelDeploymentStatus s = new ModelDeploymentStatus();
    s.observedGeneration = md.getMetadata().getGeneration();
    Phase phase = d.plan().phase();
    s.phase = phase;
    s.stableRevision = d.stable();
    s.candidateRevision = d.candidate();
    s.rejectedRevision = d.rejected();
    s.url = d.stable() == null && d.candidate() == null ? null : url;
    s.replicas = stableState == null ? null : stableState.specReplicas();
    s.readyReplicas = stableState == null ? null : stableState.readyReplicas();
    s.traffic =
        d.stable() == null && d.candidate() == null
            ? null
            : new TrafficStatus(100 - d.candidateWeight(), d.candidateWeight(), 0);
    s.analysis = previous.analysis;
    s.currentStep = previous.currentStep;
    s.stepStartedAt = previous.stepStartedAt;
    s.scaleDownAt =
        d.scaleDownAt() == null
            ? null
            : d.scaleDownAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();

    boolean progressing =
        phase == Phase.Pending || phase == Phase.Progressing || phase == Phase.Paused;
    boolean available = stableState != null && stableState.readyReplicas() > 0;
    String reason = d.plan().reason();
    String message = d.plan().message();
    List<Condition> conditions = new ArrayList<>();
    conditions.add(
        cond(
            previous,
            "Ready",
            phase == Phase.Healthy,
            phase == Phase.Healthy ? "RolloutComplete" : phase.name(),
            message,
            now));
    conditions.add(
        cond(
            previous,
            "Progressing",
            progressing,
            progressing ? reason : (phase == Phase.Healthy ? "RolloutComplete" : phase.name()),
            message,
            now));
    conditions.add(
        cond(
            previous,
            "Available",
            available,
            available ? "MinimumReplicasAvailable" : "NoReplicasAvailable",
            available
                ? stableState.readyReplicas() + " replica(s) of " + d.stable() + " ready"
                : "no serving replica is ready",
            now));
    boolean degraded = d.degraded() != null;
    conditions.add(
        cond(
            previous,
            "Degraded",
            degraded,
            degraded ? d.degraded().reason() : "AsExpected",
            degraded ? d.degraded().message() : "",
            now));
    conditions.add(
        cond(
            previous,
            "Reconciling",
            progressing,
            progressing ? reason : "Done",
            progressing ? message : "",
            now));
    conditions.add(
        cond(
            previous,
            "Stalled",
            degraded,
            degraded ? d.degraded().reason() : "Done",
            degraded ? d.degraded().message() : "",
            now));
    for (Condition c : conditions) {
      c.setObservedGeneration(s.observedGeneration);
    }
    s.conditions = conditions;
    return s;
  }

  private static Condition cond(
      ModelDeploymentStatus previous,
      String type,
      boolean status,
      String reason,
      String message,
      String now) {
    return condition(previous.conditions, type, status, reason, capped(message), now);
  }

  /**
   * A condition that keeps the lastTransitionTime {@code previous} gave it while its status stays
   * the same (Kubernetes' convention); {@code now} when it changes or is new.
   */
  public static Condition condition(
      List<Condition> previous,
      String type,
      boolean status,
      String reason,
      String message,
      String now) {
    String value = status ? "True" : "False";
    String since = now;
    if (previous != null) {
      for (Condition c : previous) {
        if (type.equals(c.getType())
            && value.equals(c.getStatus())
            && c.getLastTransitionTime() != null) {
          since = c.getLastTransitionTime();
        }
      }
    }
    return new ConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(since)
        .build();
  }

  /**
   * The status after a reconcile that threw (a write the API server refused, an API server out of
   * reach): what the last reconcile said, but Degraded and Stalled saying why this one failed, so
   * that it shows in {@code kubectl get md} and not only in the operator's log. Null when there is
   * nothing new to write, or when status names a rejected revision: the reason of its rejection is
   * read back from the Degraded condition, and must stay.
   */
  public static ModelDeploymentStatus failed(ModelDeployment md, Failure why, String now) {
    ModelDeploymentStatus previous =
        md.getStatus() == null ? new ModelDeploymentStatus() : md.getStatus();
    if (previous.rejectedRevision != null) {
      return null;
    }
    ModelDeploymentStatus s = new ModelDeploymentStatus();
    s.observedGeneration = md.getMetadata().getGeneration();
    s.phase = Phase.Degraded;
    s.stableRevision = previous.stableRevision;
    s.candidateRevision = previous.candidateRevision;
    s.currentStep = previous.currentStep;
    s.stepStartedAt = previous.stepStartedAt;
    s.scaleDownAt = previous.scaleDownAt;
    s.traffic = previous.traffic;
    s.analysis = previous.analysis;
    s.url = previous.url;
    s.replicas = previous.replicas;
    s.readyReplicas = previous.readyReplicas;
    s.rolloutReplicas = previous.rolloutReplicas;
    s.manualWeight = previous.manualWeight;
    s.history = previous.history;
    List<Condition> conditions = new ArrayList<>();
    for (String type : List.of("Ready", "Progressing", "Available", "Degraded")) {
      Condition kept =
          previous.conditions == null
              ? null
              : previous.conditions.stream()
                  .filter(c -> type.equals(c.getType()))
                  .findFirst()
                  .orElse(null);
      conditions.add(
          switch (type) {
            case "Ready" -> cond(previous, type, false, "Degraded", why.message(), now);
            case "Degraded" -> cond(previous, type, true, why.reason(), why.message(), now);
            default -> kept;
          });
    }
    conditions.add(cond(previous, "Reconciling", false, why.reason(), "", now));
    conditions.add(cond(previous, "Stalled", true, why.reason(), why.message(), now));
    conditions.removeIf(java.util.Objects::isNull);
    for (Condition c : conditions) {
      c.setObservedGeneration(s.observedGeneration);
    }
    s.conditions = conditions;
    return same(previous, s) ? null : s;
  }

  static String capped(String message) {
    if (message == null || message.length() <= MAX_MESSAGE) {
      return message;
    }
    int end = MAX_MESSAGE - 1;
    if (Character.isHighSurrogate(message.charAt(end - 1))) {
      end--;
    }
    return message.substring(0, end) + "…";
  }

  private static java.util.List<Object> analysis(io.modelship.operator.api.AnalysisStatus x) {
    return x == null
        ? null
        : java.util.Arrays.asList(
            x.samples,
            x.errorRate,
            x.latencyP99Ms,
            x.agreement,
            x.labelShift,
            x.failures,
            x.evaluatedAt);
  }

  /** True when two statuses say the same thing (times aside): then nothing is written. */
  public static boolean same(ModelDeploymentStatus a, ModelDeploymentStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    return Objects.equals(a.observedGeneration, b.observedGeneration)
        && a.phase == b.phase
        && Objects.equals(a.stableRevision, b.stableRevision)
        && Objects.equals(a.candidateRevision, b.candidateRevision)
        && Objects.equals(a.rejectedRevision, b.rejectedRevision)
        && Objects.equals(a.url, b.url)
        && Objects.equals(a.replicas, b.replicas)
        && Objects.equals(a.readyReplicas, b.readyReplicas)
        && Objects.equals(a.rolloutReplicas, b.rolloutReplicas)
        && Objects.equals(traffic(a.traffic), traffic(b.traffic))
        && Objects.equals(a.currentStep, b.currentStep)
        && Objects.equals(a.stepStartedAt, b.stepStartedAt)
        && Objects.equals(a.manualWeight, b.manualWeight)
        && RolloutHistory.same(a.history, b.history)
        && Objects.equals(a.scaleDownAt, b.scaleDownAt)
        && Objects.equals(analysis(a.analysis), analysis(b.analysis))
        && Objects.equals(conds(a.conditions), conds(b.conditions));
  }

  private static String traffic(TrafficStatus t) {
    return t == null ? null : t.stable + "/" + t.candidate + "/" + t.mirrored;
  }

  private static List<String> conds(List<Condition> cs) {
    return cs == null
        ? List.of()
        : cs.stream()
            .map(
                c ->
                    c.getType()
                        + c.getStatus()
                        + c.getReason()
                        + c.getMessage()
                        + c.getObservedGeneration())
            .toList();
  }
}
