package dev.rget.core.transport;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which proxy, if any, a URL is fetched through, read as curl reads it: {@code http_proxy}
 * (lower case only: a CGI program gets {@code HTTP_PROXY} from a request header) for http URLs,
 * {@code https_proxy} or {@code HTTPS_PROXY} for https, {@code all_proxy} or {@code ALL_PROXY}
 * for either when those are unset, and {@code no_proxy} / {@code NO_PROXY}: a comma-separated
 * list of host names (each also matching its subdomains; a leading dot is ignored), IP addresses,
 * or {@code *} for every host. An explicit proxy replaces the environment's, and an explicit
 * no-proxy list replaces the environment's. Immutable.
 */
public final class ProxyRules {
  private static final ProxyRules DIRECT = new ProxyRules(null, null, List.of());

  private final Proxy http;
  private final Proxy https;
  private final List<String> noProxy;

  private ProxyRules(Proxy http, Proxy https, List<String> noProxy) {
    this.http = http;
    this.https = https;
    this.noProxy = noProxy;
  }

  /** No proxy for any URL. */
  public static ProxyRules direct() {
    return DIRECT;
  }

  /** {@code proxy} for every URL except those {@code noProxy} (curl's list syntax) names. */
  public static ProxyRules of(Proxy proxy, String noProxy) {
    return new ProxyRules(proxy, proxy, parseList(noProxy));
  }

  /**
   * The rules the environment sets (see the class comment).
   *
   * @throws IllegalArgumentException when a proxy variable holds no usable proxy URL
   */
  public static ProxyRules fromEnvironment(Map<String, String> env) {
    String all = first(env, "all_proxy", "ALL_PROXY");
    String httpText = first(env, "http_proxy");
    String httpsText = first(env, "https_proxy", "HTTPS_PROXY");
    Proxy http = parseVar(httpText != null ? httpText : all);
    Proxy https = parseVar(httpsText != null ? httpsText : all);
    return new ProxyRules(http, https, parseList(first(env, "no_proxy", "NO_PROXY")));
  }

  /** These rules with {@code list} as the hosts reached directly, replacing the current list. */
  public ProxyRules withNoProxy(String list) {
    return new ProxyRules(http, https, parseList(list));
  }

  /** The proxy for {@code uri}, or empty for a direct connection. */
  public Optional<Proxy> forUri(URI uri) {
    Proxy p = "https".equalsIgnoreCase(uri.getScheme()) ? https : http;
    if (p == null || bypassed(uri.getHost())) {
      return Optional.empty();
    }
    return Optional.of(p);
  }

  /** Whether {@code host} is on the no-proxy list. */
  boolean bypassed(String host) {
    if (host == null) {
      return true;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    for (String entry : noProxy) {
      if (entry.equals("*") || h.equals(entry) || h.endsWith("." + entry)) {
        return true;
      }
    }
    return false;
  }

  private static String first(Map<String, String> env, String... names) {
    for (String n : names) {
      String v = env.get(n);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  private static Proxy parseVar(String value) {
    return value == null ? null : Proxy.parse(value);
  }

  private static List<String> parseList(String list) {
    List<String> out = new ArrayList<>();
    if (list == null) {
      return out;
    }
    for (String part : list.split("[,\\s]+")) {
      String e = part.strip().toLowerCase(Locale.ROOT);
      if (e.startsWith("[") && e.endsWith("]")) {
        e = e.substring(1, e.length() - 1);
      }
      while (e.startsWith(".")) {
        e = e.substring(1);
      }
      if (e.endsWith(".")) {
        e = e.substring(0, e.length() - 1);
      }
      if (!e.isEmpty()) {
        out.add(e);
      }
    }
    return List.copyOf(out);
  }
}
