package io.modelship.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelship.operator.api.AuthSpec;
import io.modelship.operator.api.BatchingSpec;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.ModelDeploymentSpec;
import io.modelship.operator.api.ModelSpec;
import io.modelship.operator.api.RuntimeSpec;
import io.modelship.operator.api.SecretKeyRef;
import io.modelship.operator.revision.Revisions;
import org.junit.jupiter.api.Test;

class DesiredObjectsTest {

  static ModelDeployment md(String uri) {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(
        new ObjectMetaBuilder().withName("iris").withNamespace("ml").withUid("u-1").build());
    md.setSpec(new ModelDeploymentSpec());
    md.getSpec().model = new ModelSpec();
    md.getSpec().model.name = "iris";
    md.getSpec().model.uri = uri;
    md.getSpec().model.sha256 = "AB".repeat(32);
    return md;
  }

  @Test
  void configMapModelIsFetchedFromItsMountIntoAnEmptyDirWithTheShaPin() {
    Deployment d =
        DesiredObjects.deployment(md("configmap://iris-model/iris.onnx"), "abc123", 3, "img:1", 40);
    assertThat(d.getMetadata().getName()).isEqualTo("iris-abc123");
    assertThat(d.getMetadata().getOwnerReferences().get(0).getController()).isTrue();
    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container fetch = pod.getInitContainers().get(0);
    assertThat(fetch.getArgs())
        .containsExactly(
            "fetch",
            "--uri",
            "/source/iris.onnx",
            "--dest",
            "/models/model.onnx",
            "--sha256",
            "ab".repeat(32));
    assertThat(pod.getVolumes())
        .anySatisfy(
            v ->
                assertThat(
                        v.getConfigMap() != null && "iris-model".equals(v.getConfigMap().getName()))
                    .isTrue());
    Container runtime = pod.getContainers().get(0);
    assertThat(runtime.getArgs())
        .containsSequence("--revision", "abc123")
        .contains("--card", "/etc/modelship/card/model.yaml");
    assertThat(runtime.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
    assertThat(runtime.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(40);
  }

  @Test
  void batchingIsPassedToTheRuntimeAsItsFlagsAndIsOffWithoutIt() {
    ModelDeployment md = md("configmap://iris-model/iris.onnx");
    Container plain =
        DesiredObjects.deployment(md, "r", 1, "img", 30)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(plain.getArgs()).noneMatch(a -> a.startsWith("--max-batch"));

    md.getSpec().runtime = new RuntimeSpec();
    md.getSpec().runtime.batching = new BatchingSpec();
    md.getSpec().runtime.batching.maxBatchSize = 32;
    md.getSpec().runtime.batching.maxDelayMs = 2;
    Container batched =
        DesiredObjects.deployment(md, "r", 1, "img", 30)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(batched.getArgs())
        .containsSequence("--max-batch-size", "32", "--max-batch-delay-ms", "2");
  }

  @Test
  void aRevisionFailsAfterTheSpecsProgressDeadline() {
    ModelDeployment md = md("configmap://iris-model/iris.onnx");
    assertThat(
            DesiredObjects.deployment(md, "r", 1, "img", 30).getSpec().getProgressDeadlineSeconds())
        .isEqualTo(600);
    md.getSpec().progressDeadlineSeconds = 45;
    assertThat(
            DesiredObjects.deployment(md, "r", 1, "img", 30).getSpec().getProgressDeadlineSeconds())
        .isEqualTo(45);
  }

  @Test
  void podsMeetPodSecurityRestricted() {
    PodSpec pod =
        DesiredObjects.deployment(md("https://h/m.onnx"), "r", 1, "img", 30)
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    for (Container c :
        new Container[] {pod.getInitContainers().get(0), pod.getContainers().get(0)}) {
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
    }
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
  }

  @Test
  void httpsModelIsDownloadedAndPvcModelMountedReadOnly() {
    PodSpec https =
        DesiredObjects.deployment(md("https://models.example/iris.onnx"), "r", 1, "img", 30)
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(https.getInitContainers().get(0).getArgs())
        .contains("https://models.example/iris.onnx");
    PodSpec pvc =
        DesiredObjects.deployment(md("pvc://models/iris/v1.onnx"), "r", 1, "img", 30)
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(pvc.getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getPersistentVolumeClaim()).isNotNull();
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("models");
              assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
            });
    assertThat(pvc.getInitContainers().get(0).getArgs()).contains("/source/iris/v1.onnx");
  }

  @Test
  void apiKeysComeFromTheSecretMountedReadOnly() {
    ModelDeployment md = md("https://h/m.onnx");
    md.getSpec().auth = new AuthSpec();
    md.getSpec().auth.apiKeySecretRef = new SecretKeyRef();
    md.getSpec().auth.apiKeySecretRef.name = "iris-keys";
    PodSpec pod =
        DesiredObjects.deployment(md, "r", 1, "img", 30).getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers().get(0).getArgs())
        .containsSequence("--api-keys-file", "/etc/modelship/keys/keys");
    assertThat(pod.getVolumes())
        .anySatisfy(
            v ->
                assertThat(
                        v.getSecret() != null && "iris-keys".equals(v.getSecret().getSecretName()))
                    .isTrue());
  }

  @Test
  void revisionIgnoresReplicasStrategyAndAnalysisButNotTheModel() {
    ModelDeployment a = md("https://h/m.onnx");
    String r = Revisions.of(a.getSpec(), "img:1");
    a.getSpec().replicas = 7;
    a.getSpec().strategy = new io.modelship.operator.api.StrategySpec();
    a.getSpec().strategy.type = io.modelship.operator.api.StrategyType.Recreate;
    a.getSpec().analysis = new io.modelship.operator.api.AnalysisSpec();
    a.getSpec().analysis.maxErrorRate = 0.01;
    assertThat(Revisions.of(a.getSpec(), "img:1")).isEqualTo(r).hasSize(10);
    assertThat(Revisions.of(a.getSpec(), "img:2")).isNotEqualTo(r);
    a.getSpec().model.version = "2";
    assertThat(Revisions.of(a.getSpec(), "img:1")).isNotEqualTo(r);
  }

  @Test
  void serviceSelectsEveryRevisionOfTheModelDeployment() {
    var svc = DesiredObjects.service(md("https://h/m.onnx"));
    assertThat(svc.getMetadata().getName()).isEqualTo("iris");
    assertThat(svc.getSpec().getSelector())
        .containsExactlyEntriesOf(java.util.Map.of(Labels.NAME, "iris"));
    assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(8080);
  }
}
