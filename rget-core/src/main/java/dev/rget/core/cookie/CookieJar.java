package dev.rget.core.cookie;

import java.io.IOException;
import java.net.HttpCookie;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Cookies, matched to requests by domain, path, secure flag and expiry as RFC 6265 section 5
 * says; read from and written to the Netscape format that curl {@code -c} and wget
 * {@code --save-cookies} write ({@code domain, include-subdomains, path, secure, expiry, name,
 * value}, tab-separated, {@code #HttpOnly_} before the domain of an HttpOnly cookie, expiry 0 for
 * a session cookie). {@code Set-Cookie} values are parsed by the JDK's {@link HttpCookie}. A
 * cookie whose {@code Domain} does not cover the host that set it, or names a single label
 * ({@code com}), is ignored. Thread-safe.
 */
public final class CookieJar {
  private final List<Cookie> cookies = new ArrayList<>();

  /**
   * One cookie.
   *
   * @param domain lower case, without a leading dot
   * @param hostOnly sent only to {@code domain} itself, not to its subdomains
   * @param expires seconds since the epoch; 0 for a session cookie
   */
  record Cookie(String name, String value, String domain, boolean hostOnly, String path,
      boolean secure, boolean httpOnly, long expires) {

    boolean expired(long now) {
      return expires != 0 && expires <= now;
    }

    boolean sameSlot(Cookie o) {
      return name.equals(o.name) && domain.equals(o.domain) && path.equals(o.path);
    }
  }

  /** An empty jar. */
  public CookieJar() {}

  /** A jar holding the cookies of a Netscape-format file. */
  public static CookieJar load(Path file) throws IOException {
    CookieJar jar = new CookieJar();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      boolean httpOnly = false;
      String l = line;
      if (l.startsWith("#HttpOnly_")) {
        httpOnly = true;
        l = l.substring("#HttpOnly_".length());
      } else if (l.startsWith("#") || l.isBlank()) {
        continue;
      }
      String[] f = l.split("\t", -1);
      if (f.length < 7) {
        continue; // not a cookie line; curl skips these too
      }
      long expires;
      try {
        expires = Long.parseLong(f[4].strip());
      } catch (NumberFormatException e) {
        continue; // a damaged line: skipped as curl does, the rest of the file still counts
      }
      String domain = f[0].strip().toLowerCase(Locale.ROOT);
      boolean subdomains = f[1].strip().equalsIgnoreCase("TRUE");
      if (domain.startsWith(".")) {
        domain = domain.substring(1);
      }
      jar.put(new Cookie(f[5], f[6], domain, !subdomains, f[2].isEmpty() ? "/" : f[2],
          f[3].strip().equalsIgnoreCase("TRUE"), httpOnly, expires));
    }
    return jar;
  }

  /**
   * Writes every unexpired cookie (session cookies too, with expiry 0, as curl does) to
   * {@code file} in the Netscape format, readable by the owner only: cookies are often logins.
   */
  public void save(Path file, long nowSeconds) throws IOException {
    StringBuilder sb = new StringBuilder("# Netscape HTTP Cookie File\n"
        + "# Written by rget. Edit at your own risk.\n\n");
    synchronized (this) {
      for (Cookie c : cookies) {
        if (c.expired(nowSeconds)) {
          continue;
        }
        sb.append(c.httpOnly() ? "#HttpOnly_" : "").append(c.hostOnly() ? "" : ".")
            .append(c.domain()).append('\t').append(c.hostOnly() ? "FALSE" : "TRUE").append('\t')
            .append(c.path()).append('\t').append(c.secure() ? "TRUE" : "FALSE").append('\t')
            .append(c.expires()).append('\t').append(c.name()).append('\t').append(c.value())
            .append('\n');
      }
    }
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, ".cookies", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(tmp, sb, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Stores the cookies that a response to {@code uri} set ({@code Set-Cookie} values). */
  public void store(URI uri, List<String> setCookies, long nowSeconds) {
    String host = host(uri);
    for (String header : setCookies) {
      List<HttpCookie> parsed;
      try {
        parsed = HttpCookie.parse("Set-Cookie: " + header);
      } catch (IllegalArgumentException e) {
        continue; // RFC 6265 section 5.2: a cookie that cannot be parsed is ignored
      }
      for (HttpCookie h : parsed) {
        Cookie c = fromSetCookie(h, uri, host, nowSeconds);
        if (c != null) {
          put(c);
        }
      }
    }
  }

  /** The {@code Cookie} header value for a request to {@code uri}, if any cookie matches. */
  public synchronized Optional<String> header(URI uri, long nowSeconds) {
    String host = host(uri);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    List<Cookie> matching = new ArrayList<>();
    for (Cookie c : cookies) {
      if (!c.expired(nowSeconds) && domainMatches(c, host) && pathMatches(path, c.path())
          && (!c.secure() || https)) {
        matching.add(c);
      }
    }
    if (matching.isEmpty()) {
      return Optional.empty();
    }
    // Longer paths first (RFC 6265 section 5.4); the sort is stable, so older ones first next.
    matching.sort(Comparator.comparingInt((Cookie c) -> c.path().length()).reversed());
    StringBuilder sb = new StringBuilder();
    for (Cookie c : matching) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(c.name()).append('=').append(c.value());
    }
    return Optional.of(sb.toString());
  }

  /** How many cookies the jar holds (expired ones included until replaced). */
  public synchronized int size() {
    return cookies.size();
  }

  private synchronized void put(Cookie c) {
    for (Iterator<Cookie> it = cookies.iterator(); it.hasNext(); ) {
      if (it.next().sameSlot(c)) {
        it.remove();
      }
    }
    cookies.add(c);
  }

  private static Cookie fromSetCookie(HttpCookie h, URI uri, String host, long now) {
    String domain = h.getDomain();
    boolean hostOnly = domain == null || domain.isBlank();
    if (hostOnly) {
      domain = host;
    } else {
      domain = domain.strip().toLowerCase(Locale.ROOT);
      while (domain.startsWith(".")) {
        domain = domain.substring(1);
      }
      boolean covers = host.equals(domain) || (!isIpAddress(host) && host.endsWith("." + domain));
      if (!covers || (!domain.contains(".") && !domain.equals(host))) {
        return null; // a server may not set cookies for other sites
      }
    }
    String path = h.getPath();
    if (path == null || !path.startsWith("/")) {
      path = defaultPath(uri);
    }
    long maxAge = h.getMaxAge();
    long expires = maxAge < 0 ? 0 : maxAge == 0 ? now - 1 : now + maxAge;
    return new Cookie(h.getName(), h.getValue() == null ? "" : h.getValue(), domain, hostOnly,
        path, h.getSecure(), h.isHttpOnly(), expires);
  }

  /** RFC 6265 section 5.1.4: the request path up to, not including, its last slash. */
  static String defaultPath(URI uri) {
    String p = uri.getRawPath();
    if (p == null || !p.startsWith("/")) {
      return "/";
    }
    int last = p.lastIndexOf('/');
    return last <= 0 ? "/" : p.substring(0, last);
  }

  static boolean domainMatches(Cookie c, String host) {
    if (c.hostOnly()) {
      return host.equals(c.domain());
    }
    return host.equals(c.domain()) || (!isIpAddress(host) && host.endsWith("." + c.domain()));
  }

  /** RFC 6265 section 5.1.4 path-match. */
  static boolean pathMatches(String requestPath, String cookiePath) {
    if (requestPath.equals(cookiePath)) {
      return true;
    }
    return requestPath.startsWith(cookiePath)
        && (cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length()) == '/');
  }

  private static String host(URI uri) {
    String h = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  private static boolean isIpAddress(String host) {
    return host.contains(":") || host.matches("[0-9.]+");
  }
}
