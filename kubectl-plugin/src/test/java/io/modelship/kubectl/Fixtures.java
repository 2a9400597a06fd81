package io.modelship.kubectl;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.modelship.operator.api.AnalysisSpec;
import io.modelship.operator.api.AnalysisStatus;
import io.modelship.operator.api.CanarySpec;
import io.modelship.operator.api.CanaryStep;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.ModelSpec;
import io.modelship.operator.api.PauseStep;
import io.modelship.operator.api.Phase;
import io.modelship.operator.api.RolloutRecord;
import io.modelship.operator.api.StrategySpec;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.api.TrafficPoint;
import io.modelship.operator.api.TrafficStatus;
import java.util.List;

/** ModelDeployments as the operator leaves them, for the plugin's tests. */
final class Fixtures {
  private Fixtures() {}

  static CanaryStep weight(int w) {
    CanaryStep s = new CanaryStep();
    s.setWeight = w;
    return s;
  }

  static CanaryStep pause(String d) {
    CanaryStep s = new CanaryStep();
    s.pause = new PauseStep();
    s.pause.duration = d;
    return s;
  }

  /** A Canary at its open pause (step 4 of 4) at 50 %, with an analysis. */
  static ModelDeployment canaryAtOpenPause(String ns, String name) {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace(ns)
            .withName(name)
            .withCreationTimestamp("2026-12-05T10:00:00Z")
            .build());
    ModelDeploymentSpec spec = new ModelDeploymentSpec();
    spec.model = new ModelSpec();
    spec.model.name = "iris";
    spec.model.version = "2";
    spec.replicas = 2;
    spec.strategy = new StrategySpec();
    spec.strategy.type = StrategyType.Canary;
    spec.strategy.canary = new CanarySpec();
    spec.strategy.canary.steps = List.of(weight(20), pause("10s"), weight(50), pause(null));
    spec.analysis = new AnalysisSpec();
    spec.analysis.maxErrorRate = 0.01;
    spec.analysis.maxLatencyP99Ms = 50.0;
    spec.analysis.minSamples = 100;
    md.setSpec(spec);
    ModelDeploymentStatus s = new ModelDeploymentStatus();
    s.phase = Phase.Progressing;
    s.stableRevision = "aaaa111111";
    s.candidateRevision = "bbbb222222";
    s.currentStep = 3;
    s.traffic = new TrafficStatus(50, 50, 0);
    s.replicas = 2;
    s.readyReplicas = 2;
    s.analysis = new AnalysisStatus();
    s.analysis.samples = 640L;
    s.analysis.errorRate = 0.002;
    s.analysis.latencyP99Ms = 71.5;
    s.analysis.failures = 0;
    s.analysis.evaluatedAt = "2026-12-05T10:05:00Z";
    s.conditions.add(
        new ConditionBuilder()
            .withType("Progressing")
            .withStatus("True")
            .withReason("Canary")
            .withMessage("step 4/4: paused at 50 % until promoted (modelship.io/action=promote)")
            .build());
    RolloutRecord first = new RolloutRecord();
    first.revision = "aaaa111111";
    first.model = "iris:1";
    first.strategy = "Canary";
    first.startedAt = "2026-12-05T10:00:00Z";
    first.finishedAt = "2026-12-05T10:00:20Z";
    first.outcome = "Promoted";
    first.reason = "revision aaaa111111 serves";
    first.traffic.add(new TrafficPoint("2026-12-05T10:00:20Z", null, 100, null));
    RolloutRecord open = new RolloutRecord();
    open.revision = "bbbb222222";
    open.previousRevision = "aaaa111111";
    open.model = "iris:2";
    open.strategy = "Canary";
    open.startedAt = "2026-12-05T10:04:00Z";
    open.traffic.add(new TrafficPoint("2026-12-05T10:04:00Z", 0, 0, null));
    open.traffic.add(new TrafficPoint("2026-12-05T10:04:05Z", 1, 20, null));
    open.traffic.add(new TrafficPoint("2026-12-05T10:04:20Z", 2, 50, null));
    open.traffic.add(new TrafficPoint("2026-12-05T10:04:21Z", 3, 50, null));
    s.history = new java.util.ArrayList<>(List.of(first, open));
    md.setStatus(s);
    return md;
  }

  /** A ModelDeployment that serves one revision and rolls nothing out. */
  static ModelDeployment healthy(String ns, String name) {
    ModelDeployment md = canaryAtOpenPause(ns, name);
    ModelDeploymentStatus s = md.getStatus();
    s.phase = Phase.Healthy;
    s.candidateRevision = null;
    s.currentStep = null;
    s.traffic = new TrafficStatus(100, 0, 0);
    s.conditions.clear();
    return md;
  }
}
