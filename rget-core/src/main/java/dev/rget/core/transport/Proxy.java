package dev.rget.core.transport;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * A proxy to reach servers through, as curl names them: {@code http://[user:pass@]host[:port]}
 * (plain-http requests are sent to it in absolute form, https goes through a {@code CONNECT}
 * tunnel), {@code socks5://} (names resolved here) and {@code socks5h://} (the proxy resolves
 * names). A bare {@code host:port} is an http proxy, and the port defaults to 1080, as in curl.
 *
 * @param kind how to talk to the proxy
 * @param host the proxy's host name or address
 * @param port the proxy's port
 * @param user user name for the proxy, or {@code null}
 * @param password password for the proxy, or {@code null}
 */
public record Proxy(Kind kind, String host, int port, String user, String password) {
  /** Default proxy port when the URL names none (curl's). */
  public static final int DEFAULT_PORT = 1080;

  /** The proxy protocols. */
  public enum Kind {
    /** An HTTP proxy: absolute-form requests, {@code CONNECT} for https. */
    HTTP,
    /** SOCKS5 with names resolved by the client (RFC 1928). */
    SOCKS5,
    /** SOCKS5 with names resolved by the proxy. */
    SOCKS5H
  }

  /** Checks the parts. */
  public Proxy {
    Objects.requireNonNull(kind);
    Objects.requireNonNull(host);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("bad proxy port " + port);
    }
  }

  /**
   * Parses a proxy URL as given to {@code --proxy} or in {@code http_proxy}.
   *
   * @throws IllegalArgumentException with a one-line reason (never showing the password)
   */
  public static Proxy parse(String text) {
    String t = text.strip();
    if (!t.contains("://")) {
      t = "http://" + t;
    }
    URI uri;
    try {
      uri = new URI(t);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("malformed proxy URL: " + e.getReason());
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    Kind kind = switch (scheme) {
      case "http" -> Kind.HTTP;
      case "socks5" -> Kind.SOCKS5;
      case "socks5h" -> Kind.SOCKS5H;
      default -> throw new IllegalArgumentException("unsupported proxy scheme '" + scheme
          + "' (use http://, socks5:// or socks5h://)");
    };
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("proxy URL has no host");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String user = null;
    String password = null;
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? "" : decode(info.substring(colon + 1));
    }
    return new Proxy(kind, host, uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), user,
        password);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** Whether a user name was given. */
  public boolean hasCredentials() {
    return user != null;
  }

  /** How messages name this proxy: its kind and address, never its credentials. */
  public String describe() {
    String kindName = switch (kind) {
      case HTTP -> "http proxy";
      case SOCKS5 -> "SOCKS5 proxy";
      case SOCKS5H -> "SOCKS5h proxy";
    };
    return kindName + " " + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** Never shows the password. */
  @Override
  public String toString() {
    return describe() + (user == null ? "" : " (user " + user + ")");
  }
}
