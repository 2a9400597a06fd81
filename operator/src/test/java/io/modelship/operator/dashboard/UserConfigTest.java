package io.modelship.operator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's client for a user carries the user's token and none of the operator's
 * credentials.
 */
class UserConfigTest {
  private static final String CA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==";

  // Every kind of credential a kubeconfig can give the operator, at once.
  private static String kubeconfig(String server) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: u
          user:
            client-certificate-data: Y2VydA==
            client-key-data: a2V5
            token: operator-token
            username: admin
            password: secret
        contexts:
        - name: ctx
          context: {cluster: c, user: u, namespace: modelship-system}
        current-context: ctx
        """
        .formatted(server, CA);
  }

  private static void assertOnlyTheUsersToken(Config user, Config operator) {
    assertThat(user.getMasterUrl()).isEqualTo(operator.getMasterUrl());
    assertThat(user.getCaCertData()).isEqualTo(CA);
    assertThat(user.getOauthToken()).isEqualTo("user-token");
    assertThat(user.getAutoOAuthToken()).isNull();
    assertThat(user.getOauthTokenProvider()).isNull();
    assertThat(user.getClientCertData()).isNull();
    assertThat(user.getClientCertFile()).isNull();
    assertThat(user.getClientKeyData()).isNull();
    assertThat(user.getClientKeyFile()).isNull();
    assertThat(user.getUsername()).isNull();
    assertThat(user.getPassword()).isNull();
    assertThat(user.getAuthProvider()).isNull();
    assertThat(user.getImpersonateUsername()).isNull();
    assertThat(user.getImpersonateGroups()).isNullOrEmpty();
    assertThat(user.getKeyStoreFile()).isNull();
    // No kubeconfig behind it: a refused token is never "refreshed" from the operator's file.
    assertThat(user.getFile()).isNull();
    assertThat(user.getAutoConfigure()).isFalse();
  }

  @Test
  void aKubeconfigWithClientCertificatesAndTokenLeaksNothing(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("kubeconfig");
    Files.writeString(file, kubeconfig("https://127.0.0.1:6443"));
    Config operator = Config.fromKubeconfig(file.toFile());
    // The operator's config does carry them: the test would otherwise prove nothing.
    assertThat(operator.getClientCertData()).isEqualTo("Y2VydA==");
    // fabric8 keeps a kubeconfig's token as the "auto" one.
    assertThat(operator.getAutoOAuthToken()).isEqualTo("operator-token");
    assertThat(operator.getUsername()).isEqualTo("admin");
    assertThat(operator.getFile()).isNotNull();

    assertOnlyTheUsersToken(UserConfig.forUser(operator, "user-token"), operator);
  }

  @Test
  void providersImpersonationAndKeyStoresOfTheOperatorAreLeftOut() {
    Config operator =
        new ConfigBuilder(Config.empty())
            .withMasterUrl("https://10.96.0.1:443")
            .withCaCertData(CA)
            .withOauthTokenProvider(() -> "provided-operator-token")
            .withImpersonateUsername("system:admin")
            .withImpersonateGroups("system:masters")
            .withKeyStoreFile("/etc/operator/keystore")
            .withClientCertFile("/var/run/secrets/operator.crt")
            .withClientKeyFile("/var/run/secrets/operator.key")
            .withTrustCerts(false)
            .build();
    Config user = UserConfig.forUser(operator, "user-token");
    assertOnlyTheUsersToken(user, operator);
    assertThat(user.isTrustCerts()).isFalse();
  }

  @Test
  void theApiServerSeesOnlyTheUsersBearerToken() throws Exception {
    KubernetesMockServer server = new KubernetesMockServer(false);
    server.init();
    try {
      server
          .expect()
          .get()
          .withPath("/api/v1/namespaces")
          .andReturn(200, "{\"kind\":\"NamespaceList\",\"apiVersion\":\"v1\",\"items\":[]}")
          .always();
      Config operator = Config.fromKubeconfig(kubeconfig(server.url("/")));
      try (KubernetesClient client =
          new KubernetesClientBuilder()
              .withConfig(UserConfig.forUser(operator, "user-token"))
              .build()) {
        assertThat(client.namespaces().list().getItems()).isEmpty();
      }
      RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
      assertThat(request.getPath()).startsWith("/api/v1/namespaces");
      assertThat(request.getHeader("Authorization")).isEqualTo("Bearer user-token");
      assertThat(request.getHeaders().headers("Authorization")).hasSize(1);
      assertThat(request.getHeader("Impersonate-User")).isNull();
    } finally {
      server.destroy();
    }
  }
}
