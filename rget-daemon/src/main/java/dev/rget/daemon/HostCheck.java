package dev.rget.daemon;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * On a loopback bind, the {@code Host} of a request must name this machine as only this machine
 * can ({@code localhost}, {@code 127.x.y.z}, {@code [::1]}), as rget-server checks it: a web page
 * whose own name an attacker re-pointed at 127.0.0.1 (DNS rebinding) then reaches the daemon but
 * is refused. Pure: no name is resolved.
 */
final class HostCheck {
  private HostCheck() {}

  /** Whether a request with this {@code Host} header (maybe {@code null}) may be answered. */
  static boolean allowed(String hostHeader, boolean loopbackOnly) {
    if (!loopbackOnly) {
      return true;
    }
    if (hostHeader == null) {
      return false; // every browser sends Host: only a page could exploit its absence, and none can
    }
    String h = hostHeader.strip().toLowerCase(Locale.ROOT);
    String host;
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      if (close < 0) {
        return false;
      }
      host = h.substring(1, close);
      String rest = h.substring(close + 1);
      if (!rest.isEmpty() && !port(rest)) {
        return false;
      }
      if (!host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.') || host.indexOf(':') < 0) {
        return false;
      }
      try {
        return InetAddress.getByName(host).isLoopbackAddress(); // a literal: never a lookup
      } catch (UnknownHostException e) {
        return false;
      }
    }
    int colon = h.lastIndexOf(':');
    host = colon < 0 ? h : h.substring(0, colon);
    if (colon >= 0 && !port(h.substring(colon))) {
      return false;
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return host.equals("localhost") || isLoopbackIpv4(host);
  }

  private static boolean port(String colonPort) {
    String p = colonPort.substring(1);
    return colonPort.startsWith(":") && !p.isEmpty() && p.length() <= 5 && p.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  private static boolean isLoopbackIpv4(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }
}
