package io.modelship.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.modelship.operator.api.InputSpec;
import io.modelship.operator.api.ModelDeployment;
import io.modelship.operator.api.TransformSpec;
import io.modelship.operator.api.TransformerSpec;
import io.modelship.operator.revision.Revisions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pre-processing in what the operator writes: the card carries the transforms, a transformer
 * container takes the pod's serving port with the runtime behind it on localhost, and both are part
 * of the revision.
 */
class TransformersTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static ModelDeployment md() {
    return DesiredObjectsTest.md("configmap://iris-model/iris.onnx");
  }

  static InputSpec input(String name, TransformSpec t) {
    InputSpec in = new InputSpec();
    in.name = name;
    in.transform = t;
    return in;
  }

  static TransformSpec standardize(double mean, double std) {
    TransformSpec t = new TransformSpec();
    t.standardize = new TransformSpec.StandardizeSpec();
    t.standardize.mean = mean;
    t.standardize.std = std;
    return t;
  }

  static TransformerSpec transformer(Integer port) {
    TransformerSpec t = new TransformerSpec();
    t.image = "example/iris-transformer:1";
    t.port = port;
    t.env =
        List.of(new EnvVar("UNITS", "mm", null), new EnvVar(Transformers.PREDICTOR_URL, "x", null));
    return t;
  }

  static PodTemplateSpec pod(ModelDeployment md) {
    return DesiredObjects.deployment(md, "r1", 1, "img", 30).getSpec().getTemplate();
  }

  @Test
  void theCardCarriesEachTransformAsTheRuntimeReadsIt() throws Exception {
    ModelDeployment md = md();
    TransformSpec minMax = new TransformSpec();
    minMax.minMax = new TransformSpec.MinMaxSpec();
    minMax.minMax.min = 0.0;
    minMax.minMax.max = 200.0;
    TransformSpec oneHot = new TransformSpec();
    oneHot.oneHot = new TransformSpec.OneHotSpec();
    oneHot.oneHot.categories = List.of("red", "green");
    oneHot.oneHot.unknown = TransformSpec.UnknownCategory.IGNORE;
    InputSpec colour = input("colour", oneHot);
    colour.type = io.modelship.operator.api.FeatureType.STRING;
    colour.required = false;
    colour.defaultValue = TextNode.valueOf("red");
    md.getSpec().model.inputs =
        List.of(input("length_mm", standardize(100, 10)), input("weight", minMax), colour);
    JsonNode card = YAML.readTree(ModelCards.yaml(md.getSpec().model));
    JsonNode inputs = card.get("inputs");
    assertThat(inputs.get(0).get("transform").toString())
        .isEqualTo("{\"standardize\":{\"mean\":100.0,\"std\":10.0}}");
    assertThat(inputs.get(1).get("transform").toString())
        .isEqualTo("{\"minMax\":{\"min\":0.0,\"max\":200.0}}");
    assertThat(inputs.get(2).get("transform").toString())
        .isEqualTo("{\"oneHot\":{\"categories\":[\"red\",\"green\"],\"unknown\":\"ignore\"}}");
    assertThat(inputs.get(2).get("default").asText()).isEqualTo("red");
  }

  @Test
  void aTransformChangeIsANewRevision() {
    ModelDeployment md = md();
    md.getSpec().model.inputs = List.of(input("a", standardize(0, 10)));
    String before = Revisions.of(md.getSpec(), "img");
    md.getSpec().model.inputs = List.of(input("a", standardize(0, 25.4)));
    assertThat(Revisions.of(md.getSpec(), "img")).isNotEqualTo(before);
  }

  @Test
  void withoutATransformerThePodIsAsBefore() {
    PodTemplateSpec t = pod(md());
    assertThat(t.getSpec().getContainers())
        .extracting(Container::getName)
        .containsExactly("runtime");
    Container runtime = t.getSpec().getContainers().get(0);
    assertThat(runtime.getPorts().get(0).getName()).isEqualTo("http");
    assertThat(runtime.getPorts().get(0).getContainerPort()).isEqualTo(8080);
    assertThat(runtime.getArgs()).containsSequence("--port", "8080");
    assertThat(t.getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void theTransformerTakesTheServingPortAndCallsTheRuntimeOnLocalhost() {
    ModelDeployment md = md();
    md.getSpec().transformer = transformer(9000);
    PodTemplateSpec t = pod(md);
    List<Container> cs = t.getSpec().getContainers();
    assertThat(cs).extracting(Container::getName).containsExactly("runtime", "transformer");
    Container runtime = cs.get(0);
    Container transformer = cs.get(1);

    assertThat(runtime.getArgs()).containsSequence("--port", "8081");
    assertThat(runtime.getPorts().get(0).getName()).isEqualTo("runtime");
    assertThat(runtime.getPorts().get(0).getContainerPort()).isEqualTo(8081);
    assertThat(runtime.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("runtime");
    assertThat(runtime.getStartupProbe().getHttpGet().getPort().getStrVal()).isEqualTo("runtime");

    assertThat(transformer.getImage()).isEqualTo("example/iris-transformer:1");
    assertThat(transformer.getPorts().get(0).getName()).isEqualTo("http");
    assertThat(transformer.getPorts().get(0).getContainerPort()).isEqualTo(9000);
    assertThat(transformer.getEnv())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("UNITS", "mm"),
            org.assertj.core.groups.Tuple.tuple(
                Transformers.PREDICTOR_URL, "http://127.0.0.1:8081"),
            org.assertj.core.groups.Tuple.tuple(Transformers.LISTEN_PORT, "9000"));
    // Readiness without a path: the port is open. The pod is Ready only when both containers are.
    assertThat(transformer.getReadinessProbe().getTcpSocket().getPort().getStrVal())
        .isEqualTo("http");
    assertThat(transformer.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(transformer.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(transformer.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(transformer.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(transformer.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/tmp"));
    assertThat(t.getSpec().getVolumes()).anyMatch(v -> v.getName().equals("transformer-tmp"));

    // The router finds the serving port on the pods; the Service targets the "http" port by name.
    assertThat(t.getMetadata().getAnnotations()).containsEntry(Transformers.SERVING_PORT, "9000");
    Service svc = DesiredObjects.service(md);
    assertThat(svc.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
  }

  @Test
  void aReadinessPathIsProbedOverHttpAndTheDefaultPortNeedsNoAnnotation() {
    ModelDeployment md = md();
    md.getSpec().transformer = transformer(null);
    md.getSpec().transformer.readinessPath = "/healthz";
    PodTemplateSpec t = pod(md);
    Container transformer = t.getSpec().getContainers().get(1);
    assertThat(transformer.getPorts().get(0).getContainerPort()).isEqualTo(8080);
    assertThat(transformer.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(t.getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void aTransformerImageChangeIsANewRevision() {
    ModelDeployment md = md();
    String none = Revisions.of(md.getSpec(), "img");
    md.getSpec().transformer = transformer(9000);
    String one = Revisions.of(md.getSpec(), "img");
    md.getSpec().transformer.image = "example/iris-transformer:2";
    assertThat(List.of(none, one, Revisions.of(md.getSpec(), "img"))).doesNotHaveDuplicates();
  }

  @Test
  void servingPortAnnotationIsReadDefensively() {
    assertThat(Transformers.servingPort(java.util.Map.of(Transformers.SERVING_PORT, "9000")))
        .isEqualTo(9000);
    assertThat(Transformers.servingPort(java.util.Map.of(Transformers.SERVING_PORT, "x")))
        .isEqualTo(8080);
    assertThat(Transformers.servingPort(java.util.Map.of(Transformers.SERVING_PORT, "70000")))
        .isEqualTo(8080);
    assertThat(Transformers.servingPort((java.util.Map<String, String>) null)).isEqualTo(8080);
  }
}
