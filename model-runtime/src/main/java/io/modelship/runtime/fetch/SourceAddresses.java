package io.modelship.runtime.fetch;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which network addresses a model may be downloaded from. Link-local addresses are refused: they
 * hold cloud instance metadata (169.254.169.254, fd00:ec2::254 on AWS), whose credentials a crafted
 * model URI, or a redirect from an honest-looking one, would otherwise copy into the model file. So
 * are unspecified and multicast addresses. Loopback and private ranges stay allowed: in-cluster
 * model stores live there.
 */
final class SourceAddresses {
  private SourceAddresses() {}

  /** Why a download from this address is refused, or null when it is allowed. */
  static String refusal(InetAddress a) {
    if (a.isLinkLocalAddress()) {
      return "a link-local address (cloud instance metadata lives at 169.254.169.254)";
    }
    if (a instanceof Inet6Address && isAwsMetadataV6(a.getAddress())) {
      return "the cloud instance metadata address";
    }
    if (a.isAnyLocalAddress()) {
      return "the unspecified address";
    }
    if (a.isMulticastAddress()) {
      return "a multicast address";
    }
    if (a instanceof Inet6Address v6 && v4Mapped(v6.getAddress()) != null) {
      return refusal(v4Mapped(v6.getAddress()));
    }
    return null;
  }

  /** fd00:ec2::254 */
  private static boolean isAwsMetadataV6(byte[] b) {
    byte[] imds = {(byte) 0xfd, 0x00, 0x0e, (byte) 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
    return java.util.Arrays.equals(b, imds);
  }

  /** The IPv4 address inside ::ffff:a.b.c.d, or null. */
  private static InetAddress v4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return null;
      }
    }
    if (b[10] != (byte) 0xff || b[11] != (byte) 0xff) {
      return null;
    }
    try {
      return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }
}
