package dev.rget.core.engine;

import dev.rget.core.DownloadOptions;
import dev.rget.core.auth.Authenticator;
import dev.rget.core.cookie.CookieJar;
import dev.rget.core.transport.TransportResponse;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who a download says it is, on every request and hop: the user's extra headers, the referer,
 * cookies from the jar, and the login (see {@link Authenticator}). Secrets the user gave for the
 * download's server (an {@code Authorization} or {@code Cookie} header) stay with that origin
 * after a redirect to another one, unless every host is trusted; cookies from the jar go
 * wherever their domain and path match. Thread-safe.
 */
final class RequestIdentity {
  private final Map<String, String> extra;
  private final String referer;
  private final CookieJar jar;
  private final Authenticator auth;

  RequestIdentity(DownloadOptions options, URI start) {
    this.extra = options.headers();
    this.referer = options.referer();
    this.jar = options.cookieJar() != null ? options.cookieJar() : new CookieJar();
    this.auth = new Authenticator(start, options.credentials(), options.netrc(),
        options.locationTrusted());
  }

  /**
   * The headers for {@code method uri}: the engine's own, then the user's, the referer, the
   * cookies and the login.
   */
  Map<String, String> headers(String method, URI uri, Map<String, String> engine) {
    Map<String, String> h = new LinkedHashMap<>(engine);
    boolean trusted = auth.trusts(uri);
    for (Map.Entry<String, String> e : extra.entrySet()) {
      String name = e.getKey();
      if (!trusted && (name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("Cookie"))) {
        continue; // a secret meant for the download's own server (curl does the same)
      }
      h.put(name, e.getValue());
    }
    if (referer != null && find(h, "Referer") == null) {
      h.put("Referer", referer);
    }
    jar.header(uri, now()).ifPresent(c -> {
      String mine = find(h, "Cookie");
      if (mine == null) {
        h.put("Cookie", c);
      } else {
        h.replaceAll((k, v) -> k.equalsIgnoreCase("Cookie") ? v + "; " + c : v);
      }
    });
    if (find(h, "Authorization") == null) {
      auth.authorization(method, uri).ifPresent(a -> h.put("Authorization", a));
    }
    return h;
  }

  /** Takes the cookies a response sets, redirects and errors included. */
  void received(TransportResponse r) {
    List<String> set = r.headers("set-cookie");
    if (!set.isEmpty()) {
      jar.store(r.uri(), set, now());
    }
  }

  /**
   * After a {@code 401}: whether to send the request again with an answer to its challenge
   * ({@code sent} is the refused request's headers).
   */
  boolean answerChallenge(TransportResponse r, Map<String, String> sent) {
    return auth.answer(r.uri(), r.headers("www-authenticate"), find(sent, "Authorization") != null);
  }

  /** The user the download logs in to {@code uri} as, or {@code null}. */
  String user(URI uri) {
    var c = auth.credentialsFor(uri);
    return c == null ? null : c.user();
  }

  private static String find(Map<String, String> h, String name) {
    for (Map.Entry<String, String> e : h.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }
}
