package dev.rget.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP Digest access authentication (RFC 7616) for one server challenge: algorithms MD5 and
 * SHA-256 (and their {@code -sess} variants), {@code qop=auth} or the RFC 2069 form without qop.
 * The nonce count goes up with every request answered with this challenge, from any thread.
 */
final class DigestAuth {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Challenge challenge;
  private final String algorithm;
  private final String javaAlgorithm;
  private final boolean session;
  private final boolean qopAuth;
  private final AtomicInteger nonceCount = new AtomicInteger();

  private DigestAuth(Challenge challenge, String algorithm, String javaAlgorithm, boolean session,
      boolean qopAuth) {
    this.challenge = challenge;
    this.algorithm = algorithm;
    this.javaAlgorithm = javaAlgorithm;
    this.session = session;
    this.qopAuth = qopAuth;
  }

  /** The Digest answer to {@code c}, or {@code null} when rget cannot answer it. */
  static DigestAuth of(Challenge c) {
    if (!c.scheme().equals("digest") || c.param("nonce") == null || c.param("realm") == null) {
      return null;
    }
    String alg = c.param("algorithm") == null ? "MD5" : c.param("algorithm");
    String upper = alg.toUpperCase(Locale.ROOT);
    boolean sess = upper.endsWith("-SESS");
    String base = sess ? upper.substring(0, upper.length() - 5) : upper;
    String java = switch (base) {
      case "MD5" -> "MD5";
      case "SHA-256" -> "SHA-256";
      default -> null;
    };
    if (java == null) {
      return null;
    }
    String qop = c.param("qop");
    boolean auth = false;
    if (qop != null) {
      for (String q : qop.split(",")) {
        auth |= q.strip().equalsIgnoreCase("auth");
      }
      if (!auth) {
        return null; // only auth-int offered: it needs the request body's hash
      }
    }
    return new DigestAuth(c, alg, java, sess, auth);
  }

  /** Strength order: SHA-256 before MD5. */
  int strength() {
    return javaAlgorithm.equals("SHA-256") ? 2 : 1;
  }

  /** Whether the server said the previous nonce merely expired (the password was right). */
  boolean stale() {
    return "true".equalsIgnoreCase(challenge.param("stale"));
  }

  /** The {@code Authorization} value for {@code method target} (target: path and query). */
  String authorization(Credentials who, String method, String target) {
    String realm = challenge.param("realm");
    String nonce = challenge.param("nonce");
    String cnonce = HexFormat.of().formatHex(randomBytes());
    String nc = String.format("%08x", nonceCount.incrementAndGet());
    String ha1 = hash(who.user() + ":" + realm + ":" + who.password());
    if (session) {
      ha1 = hash(ha1 + ":" + nonce + ":" + cnonce);
    }
    String ha2 = hash(method + ":" + target);
    String response = qopAuth ? hash(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)
        : hash(ha1 + ":" + nonce + ":" + ha2);
    StringBuilder sb = new StringBuilder("Digest ");
    sb.append("username=").append(quote(who.user()));
    sb.append(", realm=").append(quote(realm));
    sb.append(", nonce=").append(quote(nonce));
    sb.append(", uri=").append(quote(target));
    sb.append(", algorithm=").append(algorithm);
    sb.append(", response=").append(quote(response));
    if (qopAuth) {
      sb.append(", qop=auth, nc=").append(nc).append(", cnonce=").append(quote(cnonce));
    }
    if (challenge.param("opaque") != null) {
      sb.append(", opaque=").append(quote(challenge.param("opaque")));
    }
    return sb.toString();
  }

  private String hash(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance(javaAlgorithm);
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this Java runtime lacks " + javaAlgorithm, e);
    }
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return b;
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
