package dev.rget.server.upload;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/**
 * The checksum extension's {@code Upload-Checksum: ALGORITHM BASE64DIGEST}, for {@code crc32c}
 * (4 bytes, big-endian; the cheap one, as S3's SDKs default to CRCs for upload integrity),
 * {@code sha1} and {@code sha256}: the digest a {@code PATCH} body must have.
 */
record UploadChecksum(String algorithm, byte[] expected) implements BodyDigest {
  /** What {@code Tus-Checksum-Algorithm} announces. */
  static final String SUPPORTED = "crc32c,sha1,sha256";

  /** Thrown for a header naming another algorithm (400) or malformed. */
  static final class BadChecksumException extends Exception {
    BadChecksumException(String why) {
      super(why);
    }
  }

  static UploadChecksum parse(String header) throws BadChecksumException {
    String h = header.strip();
    int sp = h.indexOf(' ');
    if (sp < 0) {
      throw new BadChecksumException("Upload-Checksum: expected 'ALGORITHM BASE64'");
    }
    String alg = h.substring(0, sp).toLowerCase(Locale.ROOT);
    int size;
    switch (alg) {
      case "crc32c" -> size = 4;
      case "sha1" -> size = 20;
      case "sha256" -> size = 32;
      default -> throw new BadChecksumException("Upload-Checksum: unsupported algorithm (" + SUPPORTED + ")");
    }
    byte[] digest;
    try {
      digest = Base64.getDecoder().decode(h.substring(sp + 1).strip());
    } catch (IllegalArgumentException e) {
      throw new BadChecksumException("Upload-Checksum: the digest is not base64");
    }
    if (digest.length != size) {
      throw new BadChecksumException("Upload-Checksum: a " + alg + " digest has " + size + " bytes");
    }
    return new UploadChecksum(alg, digest);
  }

  @Override
  public MessageDigest newDigest() {
    if (algorithm.equals("crc32c")) {
      return new Crc32cDigest();
    }
    try {
      return MessageDigest.getInstance(algorithm.equals("sha1") ? "SHA-1" : "SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + algorithm, e);
    }
  }

  @Override
  public boolean matches(byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }
}
