package dev.rget.core.upload;

import dev.rget.core.SafeText;
import dev.rget.core.auth.Authenticator;
import dev.rget.core.auth.Credentials;
import dev.rget.core.transport.ClientWire;
import dev.rget.core.transport.ConnectAbort;
import dev.rget.core.transport.ProxyRules;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * How one upload reaches its server and who it says it is: the connections (proxies, TLS trust)
 * and, on every request, the User-Agent, the user's headers, the bearer token and the login
 * ({@link Authenticator}: Basic or Digest, learnt from a challenge). Secrets (the token, the login,
 * {@code Authorization} and {@code Cookie} headers) go only to the endpoint's origin unless every
 * host is trusted. Shared by the parts of a parallel upload, so that a challenge learnt by one
 * answers for all. Thread-safe.
 */
final class Reach {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final URI endpoint;
  private final String token;
  private final Map<String, String> extra;
  private final String userAgent;
  private final Authenticator auth;
  private final ProxyRules proxies;
  private final SSLContext tls;
  /** Origins already asked a body-less request to learn their challenge before a body. */
  private final Set<String> probed = ConcurrentHashMap.newKeySet();

  private Reach(URI endpoint, UploadOptions o) {
    this.endpoint = withoutUserInfo(endpoint);
    this.token = o.token();
    this.extra = o.headers();
    this.userAgent = o.userAgent();
    // The URL's user:pass@ is the default login, as for downloads; it is kept nowhere else.
    this.auth = new Authenticator(endpoint, o.credentials(), o.netrc(), o.locationTrusted());
    this.proxies = o.proxies();
    this.tls = o.sslContext();
  }

  /** How to reach {@code endpoint} (which may carry {@code user:pass@}) with {@code options}. */
  static Reach of(URI endpoint, UploadOptions options) {
    return new Reach(endpoint, options);
  }

  /** The endpoint without its user info: the URL requests, state and messages use. */
  URI endpoint() {
    return endpoint;
  }

  /** A new connection to {@code url}'s origin; {@code abort} ends its opening at once. */
  ClientWire open(URI url, ConnectAbort abort) throws IOException {
    return ClientWire.open(url, proxies, tls, userAgent.isEmpty() ? "rget" : userAgent,
        CONNECT_TIMEOUT, abort);
  }

  /**
   * The headers of {@code method url}: the protocol's ({@code tus}), then the User-Agent, the
   * user's headers, and the token or the login where this origin may have them.
   */
  Map<String, String> headers(String method, URI url, Map<String, String> tus) {
    Map<String, String> h = new LinkedHashMap<>(tus);
    if (!userAgent.isEmpty()) {
      h.put("User-Agent", userAgent);
    }
    boolean trusted = auth.trusts(url);
    for (Map.Entry<String, String> e : extra.entrySet()) {
      String name = e.getKey();
      if (!trusted && (name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("Cookie"))) {
        continue; // a secret meant for the endpoint's server
      }
      h.put(name, e.getValue());
    }
    if (token != null && trusted) {
      h.put("Authorization", "Bearer " + token);
    }
    if (authorization(h) == null) {
      auth.authorization(method, url).ifPresent(a -> h.put("Authorization", a));
    }
    return h;
  }

  /**
   * Whether to ask {@code url}'s origin a body-less request first, to learn its challenge before
   * a body goes there: a login is at hand for it, none is sent yet, and it was not asked before.
   */
  boolean probeFirst(URI url) {
    if (auth.credentialsFor(url) == null || auth.authorization("HEAD", url).isPresent()) {
      return false;
    }
    return probed.add(Authenticator.origin(url));
  }

  /**
   * After a {@code 401}: whether the request may go again with an answer to its challenge
   * ({@code sent}: the refused request's headers).
   */
  boolean answer(URI url, List<String> challenges, Map<String, String> sent) {
    probed.add(Authenticator.origin(url));
    return auth.answer(url, challenges, authorization(sent) != null);
  }

  /** Why a {@code 401} to {@code method url} is final, in one line without secrets. */
  String refusal(String method, URI url, Map<String, String> sent) {
    String where = "HTTP 401 Unauthorized from " + method + " " + SafeText.withoutPassword(url);
    Credentials who = auth.credentialsFor(url);
    String a = authorization(sent);
    if (a != null && a.startsWith("Bearer ") && token != null) {
      return where + ": the server refused the upload token";
    }
    if (who != null && a != null) {
      return where + ": the server refused the login of user " + who.user();
    }
    if (who != null) {
      return where + ": the server asks for a login in a scheme rget does not answer (it answers"
          + " Basic and Digest)";
    }
    return where + ": the server wants a login (give --user, --netrc or user:password@ in the URL)";
  }

  private static String authorization(Map<String, String> h) {
    for (Map.Entry<String, String> e : h.entrySet()) {
      if (e.getKey().equalsIgnoreCase("Authorization")) {
        return e.getValue();
      }
    }
    return null;
  }

  /** {@code url} without {@code user:pass@}. */
  static URI withoutUserInfo(URI url) {
    if (url.getRawUserInfo() == null) {
      return url;
    }
    try {
      String authority = url.getRawAuthority().substring(url.getRawAuthority().lastIndexOf('@') + 1);
      return new URI(url.getScheme() + "://" + authority
          + (url.getRawPath() == null ? "" : url.getRawPath())
          + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad URL", e);
    }
  }
}
