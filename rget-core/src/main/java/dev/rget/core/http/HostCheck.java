package dev.rget.core.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * Which {@code Host} a request may name. Every request's authority must be well formed (RFC 9112
 * section 3.2: otherwise 400). On a loopback bind it must also name this machine as only this
 * machine can: {@code localhost}, a loopback address ({@code 127.x.y.z}, {@code [::1]}), or a name
 * given explicitly (rget serve's {@code --allow-host}); the port is not compared. Anything else is answered 421
 * (Misdirected Request): a web page whose own name an attacker re-pointed at 127.0.0.1 (DNS
 * rebinding) can then reach the server but read nothing from it. Pure: no name is ever resolved.
 * Shared by {@code rget serve} and {@code rget daemon}.
 */
public final class HostCheck {
  /** The verdict. */
  public enum Verdict {
    /** May be answered. */
    OK,
    /** Malformed authority: 400. */
    BAD_REQUEST,
    /** Names another host on a loopback server: 421. */
    MISDIRECTED
  }

  private final boolean loopbackOnly;
  private final Set<String> allowed;

  /**
   * @param loopbackOnly whether the server listens on a loopback address (then names are checked)
   * @param allowed extra accepted names, lower case, without port
   */
  public HostCheck(boolean loopbackOnly, Set<String> allowed) {
    this.loopbackOnly = loopbackOnly;
    this.allowed = allowed;
  }

  /** For a server bound to {@code bound}. */
  public static HostCheck forBind(InetAddress bound, Set<String> allowed) {
    return new HostCheck(bound.isLoopbackAddress(), allowed);
  }

  /**
   * The verdict for an authority ({@code host[:port]}), or {@code null} when the request has none
   * (HTTP/1.0 without Host: nothing to check; a browser always sends one).
   */
  public Verdict check(String authority) {
    if (authority == null) {
      return Verdict.OK;
    }
    String host = hostOf(authority);
    if (host == null) {
      return Verdict.BAD_REQUEST;
    }
    if (!loopbackOnly) {
      return Verdict.OK;
    }
    return isLoopbackName(host) || allowed.contains(host) ? Verdict.OK : Verdict.MISDIRECTED;
  }

  /**
   * The host of {@code host[:port]}, lower case, an IPv6 literal keeping its brackets, one
   * trailing dot dropped; or {@code null} if the authority is malformed (bad characters, a
   * userinfo, a non-numeric port).
   */
  public static String hostOf(String authority) {
    String a = authority.trim();
    String host;
    String port;
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = a.substring(0, close + 1);
      String rest = a.substring(close + 1);
      if (!rest.isEmpty() && !rest.startsWith(":")) {
        return null;
      }
      port = rest.isEmpty() ? "" : rest.substring(1);
      if (!isIpv6Literal(host.substring(1, host.length() - 1))) {
        return null;
      }
    } else {
      int colon = a.lastIndexOf(':');
      host = colon < 0 ? a : a.substring(0, colon);
      port = colon < 0 ? "" : a.substring(colon + 1);
      if (host.isEmpty() || !isRegName(host)) {
        return null;
      }
    }
    if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    host = host.toLowerCase(Locale.ROOT);
    if (host.endsWith(".") && host.length() > 1) {
      host = host.substring(0, host.length() - 1);
    }
    return host;
  }

  /** {@code localhost}, {@code 127.x.y.z} (dotted decimal), or an IPv6 loopback literal. */
  public static boolean isLoopbackName(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    if (host.startsWith("[")) {
      try {
        return InetAddress.getByName(host).isLoopbackAddress(); // a literal: never a lookup
      } catch (UnknownHostException e) {
        return false;
      }
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** RFC 3986 reg-name or IPv4 characters: unreserved, sub-delims, percent. */
  private static boolean isRegName(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._~!$&'()*+,;=%".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Hex digits, colons and dots (an embedded IPv4), at least one colon. */
  private static boolean isIpv6Literal(String s) {
    if (s.isEmpty() || s.indexOf(':') < 0) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
          || c == ':' || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
