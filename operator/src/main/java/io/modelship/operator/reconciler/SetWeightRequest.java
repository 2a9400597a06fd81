package io.modelship.operator.reconciler;

import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.ModelDeploymentStatus;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.desired.Labels;
import io.modelship.operator.strategy.CanarySteps;
import java.util.Map;

/**
 * A share of traffic asked for by hand with the {@code modelship.io/set-weight} annotation, and
 * whether it can be taken: only by a Canary rollout (through the router or a Gateway) that waits at
 * a pause step, not paused by {@code spec.paused}.
 *
 * @param asked whether the annotation is there (it is removed once read)
 * @param weight the percent to take now, or null
 * @param refusal why it is not taken, or null
 */
public record SetWeightRequest(boolean asked, Integer weight, String refusal) {
  static final SetWeightRequest NONE = new SetWeightRequest(false, null, null);

  /**
   * @param rollingOut whether a routed or Gateway rollout of a new revision runs
   */
  public static SetWeightRequest of(
      ModelDeployment md,
      ModelDeploymentSpec spec,
      ModelDeploymentStatus previous,
      boolean rollingOut) {
    Map<String, String> a = md.getMetadata().getAnnotations();
    String raw = a == null ? null : a.get(Labels.SET_WEIGHT);
    if (raw == null) {
      return NONE;
    }
    String why = refusal(spec, previous, rollingOut, raw);
    return why == null
        ? new SetWeightRequest(true, Integer.parseInt(raw.strip()), null)
        : new SetWeightRequest(true, null, why);
  }

  /** Why {@code raw} cannot be taken now, or null: the same rule the kubectl plugin checks. */
  public static String refusal(
      ModelDeploymentSpec spec, ModelDeploymentStatus status, boolean rollingOut, String raw) {
    int weight;
    try {
      weight = Integer.parseInt(raw.strip());
    } catch (NumberFormatException e) {
      return Labels.SET_WEIGHT + " \"" + raw + "\" is not a whole percent from 0 to 100";
    }
    StrategyType type = spec.strategy == null ? StrategyType.RollingUpdate : spec.strategy.type;
    if (type != StrategyType.Canary) {
      return "the strategy is "
          + type
          + "; only a Canary's share can be set by hand (BlueGreen switches all at once, Shadow"
          + " mirrors, RollingUpdate and Recreate follow the pods)";
    }
    if (Boolean.TRUE.equals(spec.paused)) {
      return "the rollout is paused by spec.paused; resume it first";
    }
    if (!rollingOut || status == null || status.candidateRevision == null) {
      return "no Canary rollout is in progress";
    }
    return CanarySteps.setWeightRefusal(
        spec.strategy.canary == null ? null : spec.strategy.canary.steps,
        status.currentStep,
        weight);
  }
}
