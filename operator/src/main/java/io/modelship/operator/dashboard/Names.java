package io.modelship.operator.dashboard;

import java.util.regex.Pattern;

/** Checks the names a dashboard URL carries before they go into an API server path. */
final class Names {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private Names() {}

  static boolean isNamespace(String s) {
    return s != null && DNS_LABEL.matcher(s).matches();
  }

  static boolean isObjectName(String s) {
    return s != null && DNS_SUBDOMAIN.matcher(s).matches();
  }
}
