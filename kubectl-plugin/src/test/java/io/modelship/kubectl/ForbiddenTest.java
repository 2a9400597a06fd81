package io.modelship.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the API server refuses: RBAC, credentials, a cluster without the CRD. */
@EnableKubernetesMockClient
class ForbiddenTest {
  static KubernetesMockServer server;

  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  Exit run(String... argv) {
    err.reset();
    return new Main(
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .run(argv, a -> server.createClient());
  }

  @Test
  void rbacRefusalsAreExitFourWithTheServersWords() {
    server
        .expect()
        .get()
        .withPath("/apis/modelship.io/v1alpha1/namespaces/models/modeldeployments/iris")
        .andReturn(
            403,
            new StatusBuilder()
                .withCode(403)
                .withReason("Forbidden")
                .withMessage(
                    "modeldeployments.modelship.io \"iris\" is forbidden: User \"viewer\" cannot get"
                        + " resource \"modeldeployments\"")
                .build())
        .always();
    assertThat(run("promote", "iris", "-n", "models")).isEqualTo(Exit.FORBIDDEN);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith(
            "error: forbidden: you may not patch modeldeployments in namespace models (RBAC). The"
                + " API server said: modeldeployments.modelship.io \"iris\" is forbidden");
  }

  @Test
  void badCredentialsAndAMissingApiHaveTheirOwnMessages() {
    server
        .expect()
        .get()
        .withPath("/apis/modelship.io/v1alpha1/namespaces/a/modeldeployments")
        .andReturn(401, new StatusBuilder().withCode(401).withMessage("Unauthorized").build())
        .always();
    assertThat(run("list", "-n", "a")).isEqualTo(Exit.FORBIDDEN);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("error: unauthorized: the API server does not accept these credentials\n");
    server
        .expect()
        .get()
        .withPath("/apis/modelship.io/v1alpha1/namespaces/b/modeldeployments")
        .andReturn(
            404,
            new StatusBuilder()
                .withCode(404)
                .withMessage("the server could not find the requested resource")
                .build())
        .always();
    assertThat(run("list", "-n", "b")).isEqualTo(Exit.NOT_FOUND);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("error: the ModelDeployment API (modelship.io/v1alpha1) is not served");
  }
}
