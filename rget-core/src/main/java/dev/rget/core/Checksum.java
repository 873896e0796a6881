package dev.rget.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * An expected digest of the finished file, written {@code ALG=HEX} on the command line
 * ({@code sha-256}, {@code sha-1}, {@code md5}, {@code sha-512}; the dash is optional).
 *
 * @param algorithm the JDK algorithm name, such as {@code SHA-256}
 * @param expectedHex the expected digest, lower-case hex
 */
public record Checksum(String algorithm, String expectedHex) {
  private static final Map<String, String> NAMES = Map.of(
      "sha256", "SHA-256", "sha1", "SHA-1", "md5", "MD5", "sha512", "SHA-512", "sha384", "SHA-384");

  /** Validates the algorithm and that the hex has the digest's length. */
  public Checksum {
    try {
      int len = MessageDigest.getInstance(algorithm).getDigestLength();
      if (expectedHex.length() != len * 2 || !expectedHex.matches("[0-9a-f]+")) {
        throw new IllegalArgumentException(
            algorithm + " digest must be " + len * 2 + " hex digits, got '" + expectedHex + "'");
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalArgumentException("unknown digest algorithm " + algorithm, e);
    }
  }

  /**
   * Parses {@code ALG=HEX}, for example {@code sha-256=9f86...}.
   *
   * @throws IllegalArgumentException with a message fit for the user
   */
  public static Checksum parse(String text) {
    int eq = text.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("checksum must look like sha-256=HEX, got '" + text + "'");
    }
    String alg = text.substring(0, eq).trim().toLowerCase(Locale.ROOT).replace("-", "");
    String name = NAMES.get(alg);
    if (name == null) {
      throw new IllegalArgumentException("unknown checksum algorithm '" + text.substring(0, eq)
          + "' (use sha-256, sha-512, sha-1 or md5)");
    }
    return new Checksum(name, text.substring(eq + 1).trim().toLowerCase(Locale.ROOT));
  }

  /** A fresh digest for this algorithm. */
  public MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code digest} equals the expected value. */
  public boolean matches(byte[] digest) {
    return HexFormat.of().formatHex(digest).equals(expectedHex);
  }
}
