package io.modelship.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.modelship.operator.api.InputSpec;
import io.modelship.operator.api.MatchRule;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.ModelSpec;
import io.modelship.operator.api.OutputSpec;
import io.modelship.operator.api.StrategySpec;
import io.modelship.operator.api.StrategyType;
import io.modelship.operator.strategy.Failure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The spec rules the operator checks because the API server's CEL cannot. */
class PreflightTest {

  static ModelDeploymentSpec spec() {
    ModelDeploymentSpec s = new ModelDeploymentSpec();
    s.model = new ModelSpec();
    s.model.name = "m";
    s.model.uri = "https://h/m.onnx";
    return s;
  }

  static InputSpec input(Boolean required, Object dflt) {
    InputSpec in = new InputSpec();
    in.name = "a";
    in.required = required;
    in.defaultValue =
        dflt == null ? null : JsonNodeFactory.instance.numberNode(((Number) dflt).doubleValue());
    return in;
  }

  @Test
  void aValidSpecPasses() {
    assertThat(Preflight.spec(spec(), true)).isNull();
  }

  @Test
  void optionalFeatureNeedsADefaultAndOnlyOptionalOnesTakeOne() {
    ModelDeploymentSpec s = spec();
    s.model.inputs = List.of(input(false, null));
    assertThat(Preflight.spec(s, false).message())
        .isEqualTo(
            "spec.model.inputs[0].default: an optional feature (required: false) needs a default");
    s.model.inputs = List.of(input(null, 1.5));
    assertThat(Preflight.spec(s, false).message()).contains("only optional features");
    s.model.inputs = List.of(input(false, 1.5));
    assertThat(Preflight.spec(s, false)).isNull();
  }

  @Test
  void defaultMustHaveTheFeaturesType() {
    ModelDeploymentSpec s = spec();
    InputSpec in = input(false, null);
    in.type = io.modelship.operator.api.FeatureType.BOOLEAN;
    in.defaultValue = JsonNodeFactory.instance.numberNode(3);
    s.model.inputs = List.of(in);
    Failure f = Preflight.spec(s, false);
    assertThat(f.reason()).isEqualTo("InvalidSpec");
    assertThat(f.message())
        .isEqualTo("spec.model.inputs[0].default: must be a boolean value (got 3)");
  }

  @Test
  void aOneHotDefaultMustBeACategoryUnlessUnknownOnesAreIgnored() {
    ModelDeploymentSpec s = spec();
    InputSpec in = input(false, null);
    in.type = io.modelship.operator.api.FeatureType.STRING;
    in.defaultValue = JsonNodeFactory.instance.textNode("purple");
    in.transform = new io.modelship.operator.api.TransformSpec();
    in.transform.oneHot = new io.modelship.operator.api.TransformSpec.OneHotSpec();
    in.transform.oneHot.categories = List.of("red", "green");
    s.model.inputs = List.of(in);
    assertThat(Preflight.spec(s, false).message())
        .isEqualTo(
            "spec.model.inputs[0].default: \"purple\" is not one of"
                + " transform.oneHot.categories (set unknown: ignore to allow it)");
    in.transform.oneHot.unknown = io.modelship.operator.api.TransformSpec.UnknownCategory.IGNORE;
    assertThat(Preflight.spec(s, false)).isNull();
    in.transform.oneHot.unknown = null;
    in.defaultValue = JsonNodeFactory.instance.textNode("green");
    assertThat(Preflight.spec(s, false)).isNull();
  }

  @Test
  void duplicateLabelsAndBadHeaderNamesAreInvalid() {
    ModelDeploymentSpec s = spec();
    s.model.outputs = new OutputSpec();
    s.model.outputs.labels = List.of("a", "b", "a");
    assertThat(Preflight.spec(s, false).message())
        .isEqualTo("spec.model.outputs.labels[2]: duplicate label \"a\"");

    ModelDeploymentSpec c = spec();
    c.strategy = new StrategySpec();
    c.strategy.type = StrategyType.Canary;
    c.strategy.canary = new io.modelship.operator.api.CanarySpec();
    MatchRule m = new MatchRule();
    m.headers = Map.of("x group", "beta");
    c.strategy.canary.match = List.of(m);
    assertThat(Preflight.spec(c, false).message())
        .startsWith("spec.strategy.canary.match[0].headers: \"x group\" is not a header name");
  }

  @Test
  void batchingIsRunNotRefused() {
    ModelDeploymentSpec s = spec();
    s.runtime = new io.modelship.operator.api.RuntimeSpec();
    s.runtime.batching = new io.modelship.operator.api.BatchingSpec();
    s.runtime.batching.maxBatchSize = 32;
    s.runtime.batching.maxDelayMs = 2;
    assertThat(Preflight.spec(s, false)).isNull();
    assertThat(Preflight.spec(s, true)).isNull();

    // Only what is still unsupported is named.
    s.autoscaling = new io.modelship.operator.api.AutoscalingSpec();
    assertThat(Preflight.spec(s, false).message())
        .isEqualTo(
            "spec.autoscaling: not supported by this operator version yet; remove it to roll out");
  }

  @Test
  void unsupportedStrategyBlocksOnlyUpdatesAndUnsupportedFeaturesAreNamed() {
    ModelDeploymentSpec s = spec();
    s.strategy = new StrategySpec();
    s.strategy.type = StrategyType.BlueGreen;
    assertThat(Preflight.spec(s, false)).isNull();
    assertThat(Preflight.spec(s, true)).isNull();
    s.traffic = new io.modelship.operator.api.TrafficSpec();
    s.traffic.provider = io.modelship.operator.api.TrafficProvider.None;
    assertThat(Preflight.spec(s, false)).isNull();
    assertThat(Preflight.spec(s, true).reason()).isEqualTo("StrategyNotSupported");

    // Canary runs with the Router provider, not (yet) with the others.
    ModelDeploymentSpec c = spec();
    c.strategy = new StrategySpec();
    c.strategy.type = StrategyType.Canary;
    assertThat(Preflight.spec(c, true)).isNull();
    c.traffic = new io.modelship.operator.api.TrafficSpec();
    c.traffic.provider = io.modelship.operator.api.TrafficProvider.GatewayAPI;
    assertThat(Preflight.spec(c, true)).isNull();
    c.traffic.hostnames = List.of("iris.example.com", "*.models.example.com", "Bad_Host");
    assertThat(Preflight.spec(c, true).message())
        .isEqualTo(
            "spec.traffic.hostnames[2]: \"Bad_Host\" is not a DNS name (lower case, dots between"
                + " labels, an optional leading *.)");
    c.traffic.hostnames = null;
    c.analysis = new io.modelship.operator.api.AnalysisSpec();
    assertThat(Preflight.spec(c, true).message())
        .startsWith("spec.analysis and canary analysis steps need traffic.provider Router");
    c.strategy.type = StrategyType.Shadow;
    assertThat(Preflight.spec(c, true).message())
        .startsWith("spec.strategy.type Shadow with traffic.provider GatewayAPI is not supported");

    ModelDeploymentSpec a = spec();
    a.autoscaling = new io.modelship.operator.api.AutoscalingSpec();
    assertThat(Preflight.spec(a, false).message()).startsWith("spec.autoscaling: not supported");

    ModelDeploymentSpec s3 = spec();
    s3.model.uri = "s3://bucket/m.onnx";
    assertThat(Preflight.spec(s3, false).reason()).isEqualTo("ModelSourceNotSupported");
  }
}
