package dev.rget.core.http;

import java.net.URI;
import java.util.Locale;

/** The one check of a URL that rget is asked to fetch from or send to. */
public final class HttpUrl {
  private HttpUrl() {}

  /**
   * Why rget cannot use {@code uri}, or {@code null} when it can: it must be absolute, http or
   * https, and name a host.
   */
  public static String problem(URI uri) {
    String scheme = uri.getScheme();
    if (scheme == null) {
      return "no scheme (use http:// or https://)";
    }
    String s = scheme.toLowerCase(Locale.ROOT);
    if (!s.equals("http") && !s.equals("https")) {
      return "unsupported URL scheme '" + scheme + "' (use http or https)";
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return "no host";
    }
    return null;
  }
}
