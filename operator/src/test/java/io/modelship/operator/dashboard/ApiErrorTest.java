package io.modelship.operator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiErrorTest {

  @Test
  void forbiddenNamesTheVerbResourceAndNamespace() {
    assertThat(ApiError.of(403, "patch", "modeldeployments", "team-a", "long RBAC text"))
        .isEqualTo(new ApiError(403, "you may not patch modeldeployments in namespace team-a"));
    assertThat(ApiError.of(403, "list", "namespaces", null, null).message())
        .isEqualTo("you may not list namespaces");
  }

  @Test
  void aRefusedTokenAsksToSignInAgain() {
    ApiError e = ApiError.of(401, "get", "modeldeployments", "team-a", "Unauthorized");
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.message()).contains("did not accept your token");
  }

  @Test
  void otherFailuresAreBadGatewayWithTheApiServersWords() {
    assertThat(ApiError.of(500, "get", "modeldeployments", "ns", "etcd timeout"))
        .isEqualTo(
            new ApiError(
                502,
                "the API server answered 500 to get modeldeployments in namespace ns: etcd timeout"));
    assertThat(ApiError.of(0, "get", "modeldeployments", "ns", "connection refused").status())
        .isEqualTo(502);
    assertThat(ApiError.of(404, "get", "modeldeployments", "ns", "x not found").status())
        .isEqualTo(404);
  }
}
