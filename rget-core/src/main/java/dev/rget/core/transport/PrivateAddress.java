package dev.rget.core.transport;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Addresses a public server has no business sending a client to: loopback, unspecified,
 * link-local, RFC 1918 private, shared address space (100.64.0.0/10) and IPv6 unique local
 * (fc00::/7). Checked on the address a connection actually goes to, so a name that resolves to a
 * public address when a redirect is checked and to a private one when the connection is made (DNS
 * rebinding) is caught.
 */
public final class PrivateAddress {
  private PrivateAddress() {}

  /** Whether {@code a} is local or private (see the class comment). */
  public static boolean is(InetAddress a) {
    if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress()
        || a.isSiteLocalAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first == 0 || (first == 100 && second >= 64 && second <= 127);
    }
    if (a instanceof Inet6Address) {
      return (b[0] & 0xfe) == 0xfc;
    }
    return false;
  }

  /** A connection refused because the host it names is local or private. */
  public static final class RefusedException extends java.io.IOException {
    private static final long serialVersionUID = 1L;
    private final String host;
    private final String address;

    RefusedException(String host, InetAddress address) {
      super(host + " is the local or private address " + address.getHostAddress());
      this.host = host;
      this.address = address.getHostAddress();
    }

    /** The host name of the request. */
    public String host() {
      return host;
    }

    /** The address it resolved to. */
    public String address() {
      return address;
    }
  }

  /** Throws unless {@code a}, what {@code host} resolved to, is public. */
  static void requirePublic(String host, InetAddress a) throws RefusedException {
    if (is(a)) {
      throw new RefusedException(host, a);
    }
  }

  /**
   * For a connection through a proxy, which resolves the name itself: rget resolves it too
   * ({@code all}, every address {@code host} resolved to) and refuses if any address is private.
   * (Best effort: the proxy may get another answer.)
   */
  static void requirePublic(String host, InetAddress[] all) throws RefusedException {
    for (InetAddress a : all) {
      requirePublic(host, a);
    }
  }
}
