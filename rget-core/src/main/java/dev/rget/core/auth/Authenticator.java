package dev.rget.core.auth;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logs one download in to its servers. Credentials given for the download (in its URL, or as
 * {@code --user}) belong to the origin (scheme, host and port) of its URL and are never sent to
 * another origin unless every host is trusted ({@code --location-trusted}); a netrc login
 * belongs to its machine. Credentials from the URL are sent at once as Basic (as curl and wget
 * do); others only to answer a challenge, in the strongest scheme offered (Digest SHA-256, then
 * Digest MD5, then Basic), so a password never goes out in the clear to a server that asked for
 * Digest. Once an origin has challenged, later requests to it (the other connections of a
 * parallel download) answer in advance. Thread-safe.
 */
public final class Authenticator {
  private final String startOrigin;
  private final Credentials explicit;
  private final boolean preemptive;
  private final Netrc netrc;
  private final boolean trustEveryHost;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  /** How an origin is answered: Basic, or Digest with its challenge. */
  private record Answer(Credentials who, DigestAuth digest) {}

  /**
   * @param start the download's URL; its user info, if any, is the default login
   * @param user credentials that replace the URL's ({@code --user}), or {@code null}
   * @param netrc logins per machine, or {@code null}
   * @param trustEveryHost send the download's credentials to every host it is redirected to
   */
  public Authenticator(URI start, Credentials user, Netrc netrc, boolean trustEveryHost) {
    this.startOrigin = origin(start);
    Optional<Credentials> fromUrl = Credentials.fromUri(start);
    this.explicit = user != null ? user : fromUrl.orElse(null);
    this.preemptive = user == null && fromUrl.isPresent();
    this.netrc = netrc;
    this.trustEveryHost = trustEveryHost;
  }

  /** {@code scheme://host:port} in lower case, with the scheme's default port filled in. */
  public static String origin(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    return scheme + "://" + host + ":" + port;
  }

  /** Whether headers meant for the download's own server may go to {@code uri}. */
  public boolean trusts(URI uri) {
    return trustEveryHost || origin(uri).equals(startOrigin);
  }

  /** The login for {@code uri}, or {@code null}. */
  public Credentials credentialsFor(URI uri) {
    if (explicit != null && trusts(uri)) {
      return explicit;
    }
    return netrc == null ? null : netrc.lookup(uri.getHost()).orElse(null);
  }

  /** The {@code Authorization} value to send with {@code method uri} now, if any. */
  public Optional<String> authorization(String method, URI uri) {
    Answer a = answers.get(origin(uri));
    if (a != null) {
      return Optional.of(a.digest == null ? basic(a.who)
          : a.digest.authorization(a.who, method, target(uri)));
    }
    if (preemptive && explicit != null && trusts(uri)) {
      return Optional.of(basic(explicit));
    }
    return Optional.empty();
  }

  /**
   * Learns from a {@code 401} to {@code method uri}: whether to send the request again with an
   * answer to the challenge. False when there is no login for this server, no scheme rget can
   * answer, or the login was already sent and refused.
   *
   * @param challenges the response's {@code WWW-Authenticate} values
   * @param sentAuthorization whether the refused request carried an {@code Authorization}
   */
  public boolean answer(URI uri, List<String> challenges, boolean sentAuthorization) {
    Credentials who = credentialsFor(uri);
    if (who == null) {
      return false;
    }
    DigestAuth best = null;
    boolean basicOffered = false;
    for (Challenge c : Challenge.parseAll(challenges)) {
      DigestAuth d = DigestAuth.of(c);
      if (d != null && (best == null || d.strength() > best.strength())) {
        best = d;
      }
      basicOffered |= c.scheme().equals("basic");
    }
    if (best == null && !basicOffered) {
      return false;
    }
    if (sentAuthorization) {
      Answer previous = answers.get(origin(uri));
      boolean sentDigest = previous != null && previous.digest != null;
      // A Digest challenge after a Basic answer (from the URL) is worth one answer; otherwise
      // the server refused this login, unless it says the nonce merely went stale.
      if (best == null || (sentDigest && !best.stale())) {
        return false;
      }
    }
    answers.put(origin(uri), new Answer(who, best));
    return true;
  }

  private static String basic(Credentials c) {
    String pair = c.user() + ":" + c.password();
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** The request target as the request line carries it: path and query. */
  private static String target(URI uri) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }
}
