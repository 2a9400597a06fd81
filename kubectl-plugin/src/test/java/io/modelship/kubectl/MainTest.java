package io.modelship.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.modelship.operator.api.ModelDeployment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The commands against an API server (fabric8's in-memory one): what they read and write. */
@EnableKubernetesMockClient(crud = true)
class MainTest {
  static KubernetesClient client;
  static KubernetesMockServer server;

  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void objects() {
    client.resources(ModelDeployment.class).inNamespace("models").delete();
    client.resource(Fixtures.canaryAtOpenPause("models", "iris")).create();
    client.resource(Fixtures.healthy("models", "wine")).create();
  }

  Exit run(String... argv) {
    out.reset();
    err.reset();
    return new Main(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .run(argv, a -> server.createClient());
  }

  String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  ModelDeployment read(String name) {
    return client.resources(ModelDeployment.class).inNamespace("models").withName(name).get();
  }

  @Test
  void listAndStatusReadTheCluster() {
    assertThat(run("list", "-n", "models")).isEqualTo(Exit.OK);
    assertThat(out()).contains("iris  Canary").contains("wine  Canary");
    assertThat(run("list", "-n", "models", "-o", "json")).isEqualTo(Exit.OK);
    assertThat(out())
        .contains("\"name\" : \"iris\"")
        .contains("\"candidateRevision\" : \"bbbb222222\"");
    assertThat(run("status", "iris", "-n", "models")).isEqualTo(Exit.OK);
    assertThat(out()).contains("► 4. pause (until promoted)");
    assertThat(run("history", "iris", "-n", "models", "-o", "json")).isEqualTo(Exit.OK);
    assertThat(out()).contains("\"outcome\" : \"Promoted\"");
  }

  @Test
  void promoteWritesTheAnnotationTheOperatorActsOn() {
    assertThat(run("promote", "iris", "-n", "models")).isEqualTo(Exit.OK);
    assertThat(out()).isEqualTo("promote requested: iris moves to revision bbbb222222\n");
    assertThat(read("iris").getMetadata().getAnnotations())
        .containsEntry("modelship.io/action", "promote");
    assertThat(run("set-weight", "iris", "70", "-n", "models", "-o", "json")).isEqualTo(Exit.OK);
    assertThat(out()).contains("\"changed\" : true");
    assertThat(read("iris").getMetadata().getAnnotations())
        .containsEntry("modelship.io/set-weight", "70");
    assertThat(run("pause", "iris", "-n", "models")).isEqualTo(Exit.OK);
    assertThat(read("iris").getSpec().paused).isTrue();
    assertThat(run("resume", "iris", "-n", "models")).isEqualTo(Exit.OK);
    assertThat(read("iris").getSpec().paused).isNull();
  }

  @Test
  void eachFailureHasItsExitCodeAndChangesNothing() {
    assertThat(run("promote", "wine", "-n", "models")).isEqualTo(Exit.REFUSED);
    assertThat(err())
        .isEqualTo(
            "error: wine has no rollout in progress (revision aaaa111111 serves): nothing to"
                + " promote\n");
    assertThat(read("wine").getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(run("status", "nope", "-n", "models")).isEqualTo(Exit.NOT_FOUND);
    assertThat(err())
        .isEqualTo("error: modeldeployment \"nope\" not found in namespace \"models\"\n");
    assertThat(run("abort", "nope", "-n", "models")).isEqualTo(Exit.NOT_FOUND);
    assertThat(run("promote")).isEqualTo(Exit.USAGE);
    assertThat(run("status", "nope", "-n", "models", "--watch", "--timeout", "2s"))
        .isEqualTo(Exit.NOT_FOUND);
  }

  @Test
  void watchPrintsEachChangeUntilTheTimeout() throws Exception {
    Thread change =
        new Thread(
            () -> {
              try {
                Thread.sleep(1500);
              } catch (InterruptedException e) {
                return;
              }
              ModelDeployment md = read("iris");
              md.getStatus().traffic.stable = 0;
              md.getStatus().traffic.candidate = 100;
              client.resource(md).update();
            });
    change.start();
    assertThat(run("status", "iris", "-n", "models", "-w", "--timeout", "4s")).isEqualTo(Exit.OK);
    change.join();
    assertThat(out())
        .contains("stable 50 % · candidate 50 %")
        .contains("\n--- ")
        .contains("stable 0 % · candidate 100 %");
  }
}
