package io.modelship.operator.dashboard;

import io.fabric8.kubernetes.client.Config;

/**
 * The client configuration for one dashboard request: the operator's API server and how to trust
 * it, with the user's token as the only credential.
 *
 * <p>Built from {@link Config#empty()} and copying only where the server is and how to verify it,
 * rather than copying the operator's configuration and clearing its credentials: a credential kind
 * added to fabric8 later cannot leak that way. {@code empty()} also turns off auto-configuration,
 * so neither the operator's kubeconfig nor its ServiceAccount token file is read, not even when the
 * API server refuses the user's token.
 */
public final class UserConfig {

  private UserConfig() {}

  public static Config forUser(Config operator, String token) {
    Config user = Config.empty();
    user.setMasterUrl(operator.getMasterUrl());
    user.setCaCertFile(operator.getCaCertFile());
    user.setCaCertData(operator.getCaCertData());
    user.setTrustCerts(operator.isTrustCerts());
    user.setDisableHostnameVerification(operator.isDisableHostnameVerification());
    user.setTlsVersions(operator.getTlsVersions());
    user.setConnectionTimeout(operator.getConnectionTimeout());
    user.setRequestTimeout(operator.getRequestTimeout());
    user.setHttp2Disable(operator.isHttp2Disable());
    // A user's request is answered once; retrying it would only delay the answer they wait for.
    user.setRequestRetryBackoffLimit(0);
    user.setOauthToken(token);
    return user;
  }
}
