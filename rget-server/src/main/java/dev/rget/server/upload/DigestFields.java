package dev.rget.server.upload;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * RFC 9530 integrity fields as the draft's uploads use them: {@code Content-Digest} (the content
 * of one request) and {@code Repr-Digest} (the whole uploaded data), Dictionaries of
 * {@code ALGORITHM=:BASE64:}, and {@code Want-Repr-Digest}, a Dictionary of preference weights.
 * Only {@code sha-256} and {@code sha-512} are taken; members naming other algorithms are ignored,
 * as the RFC lets a recipient do. Pure: no I/O.
 */
final class DigestFields {
  /** The algorithms spoken, strongest last. */
  static final String[] ALGORITHMS = {"sha-256", "sha-512"};

  private DigestFields() {}

  /** Thrown for a member of a known algorithm that is malformed (400). */
  static final class BadDigestException extends Exception {
    BadDigestException(String why) {
      super(why);
    }
  }

  /** One expected digest. */
  record Expected(String algorithm, byte[] digest) implements BodyDigest {
    @Override
    public MessageDigest newDigest() {
      return DigestFields.newDigest(algorithm);
    }

    @Override
    public boolean matches(byte[] actual) {
      return MessageDigest.isEqual(digest, actual);
    }

    /** The field value, {@code ALGORITHM=:BASE64:}. */
    String value() {
      return DigestFields.value(algorithm, digest);
    }
  }

  /**
   * The strongest digest of a known algorithm in a {@code Content-Digest} or {@code Repr-Digest}
   * value, or null if it names none.
   */
  static Expected parse(String field, String header) throws BadDigestException {
    Expected best = null;
    for (String member : header.split(",", -1)) {
      String m = member.strip();
      int semi = m.indexOf(';');
      if (semi >= 0) {
        m = m.substring(0, semi).strip(); // parameters carry nothing for digests
      }
      int eq = m.indexOf('=');
      String key = (eq < 0 ? m : m.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
      int rank = rank(key);
      if (rank < 0) {
        continue;
      }
      String v = eq < 0 ? "" : m.substring(eq + 1).strip();
      if (v.length() < 2 || v.charAt(0) != ':' || v.charAt(v.length() - 1) != ':') {
        throw new BadDigestException(field + ": " + key + " is not a byte sequence (:BASE64:)");
      }
      byte[] d;
      try {
        d = Base64.getDecoder().decode(v.substring(1, v.length() - 1));
      } catch (IllegalArgumentException e) {
        throw new BadDigestException(field + ": " + key + " is not base64");
      }
      if (d.length != (rank == 0 ? 32 : 64)) {
        throw new BadDigestException(field + ": a " + key + " digest has " + (rank == 0 ? 32 : 64) + " bytes");
      }
      if (best == null || rank(best.algorithm()) < rank) {
        best = new Expected(key, d);
      }
    }
    return best;
  }

  /** The known algorithm {@code Want-Repr-Digest} prefers most (weight above 0), or null. */
  static String wanted(String header) {
    String best = null;
    int bestWeight = 0;
    for (String member : header.split(",", -1)) {
      String m = member.strip();
      int eq = m.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = m.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      String w = m.substring(eq + 1).strip();
      if (rank(key) < 0 || !w.matches("[0-9]{1,2}")) {
        continue;
      }
      int weight = Integer.parseInt(w);
      if (weight > bestWeight) {
        best = key;
        bestWeight = weight;
      }
    }
    return best;
  }

  static MessageDigest newDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha-256") ? "SHA-256" : "SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + algorithm, e);
    }
  }

  static String value(String algorithm, byte[] digest) {
    return algorithm + "=:" + Base64.getEncoder().encodeToString(digest) + ":";
  }

  private static int rank(String key) {
    for (int i = 0; i < ALGORITHMS.length; i++) {
      if (ALGORITHMS[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }
}
