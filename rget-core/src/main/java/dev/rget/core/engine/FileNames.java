package dev.rget.core.engine;

import dev.rget.core.SafeText;
import dev.rget.core.http.Headers;
import dev.rget.core.transport.TransportResponse;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks a local file name for a download: Content-Disposition's filename, else the last segment
 * of the URL path, else {@code index.html}. Names are reduced to one safe path component, so a
 * hostile server cannot write outside the output directory.
 */
public final class FileNames {
  static final String FALLBACK = "index.html";

  private FileNames() {}

  static String suggest(TransportResponse r) {
    Optional<String> fromHeader = r.header(Headers.CONTENT_DISPOSITION)
        .flatMap(FileNames::fromContentDisposition);
    return fromHeader.orElseGet(() -> fromUri(r.uri()));
  }

  /** The last path segment of {@code uri}, made safe; {@code index.html} if there is none. */
  public static String fromUri(URI uri) {
    String path = uri.getRawPath();
    if (path == null || path.isEmpty() || path.endsWith("/")) {
      return FALLBACK;
    }
    String last = path.substring(path.lastIndexOf('/') + 1);
    try {
      last = URLDecoder.decode(last.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // Malformed percent-escapes: keep the raw segment, it is still a usable name.
    }
    return sanitize(last).orElse(FALLBACK);
  }

  static Optional<String> fromContentDisposition(String value) {
    String star = param(value, "filename*");
    if (star != null) {
      int q = star.indexOf("''");
      if (q > 0 && star.substring(0, q).toUpperCase(Locale.ROOT).startsWith("UTF-8")) {
        try {
          Optional<String> s = sanitize(URLDecoder.decode(
              star.substring(q + 2).replace("+", "%2B"), StandardCharsets.UTF_8));
          if (s.isPresent()) {
            return s;
          }
        } catch (IllegalArgumentException e) {
          // fall through to the plain filename parameter
        }
      }
    }
    String plain = param(value, "filename");
    return plain == null ? Optional.empty() : sanitize(plain);
  }

  private static String param(String value, String name) {
    for (String part : value.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase(name)) {
        String v = part.substring(eq + 1).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return v;
      }
    }
    return null;
  }

  /**
   * One path component, no separators, controls, bidi controls or leading dots; empty if nothing
   * is left.
   */
  static Optional<String> sanitize(String name) {
    String n = name.replace('\\', '/');
    n = n.substring(n.lastIndexOf('/') + 1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n.length(); i++) {
      char c = n.charAt(i);
      // Bidi overrides too: "evil" RLO "gpj.exe" would show as "evilexe.jpg".
      sb.append(SafeText.unsafe(c) ? '_' : c);
    }
    String s = sb.toString().strip();
    while (s.startsWith(".")) {
      s = s.substring(1);
    }
    if (s.length() > 200) {
      s = s.substring(s.length() - 200);
    }
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }
}
