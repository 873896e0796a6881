package dev.rget.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A response body source of known length whose bytes can be read at any offset, so that a server
 * can answer arbitrary ranges and a test can compute the expected bytes independently.
 *
 * <p>Implementations must be thread-safe: the server reads the same content from many connections
 * at once. Use {@link #of(byte[])} for small literal bodies and {@link #pseudoRandom(long, long)}
 * for large ones (any length, even beyond 4 GiB, with no memory or disk cost).
 */
public interface Content {

  /** Size of the buffers used by the streaming helpers. */
  int STREAM_BUFFER = 1 << 20;

  /** Total length in bytes. */
  long length();

  /**
   * Copies {@code len} bytes starting at {@code offset} into {@code dst[off..off+len)}.
   *
   * @throws IndexOutOfBoundsException if the requested span is not inside the content or the
   *     destination array
   */
  void read(long offset, byte[] dst, int off, int len);

  /**
   * A short string that identifies these bytes well enough to build a default ETag. Two contents
   * with equal bytes should (but need not) have the same fingerprint; different bytes should not.
   */
  default String fingerprint() {
    return Long.toHexString(length()) + "-" + Integer.toHexString(System.identityHashCode(this));
  }

  /** Lowercase hex SHA-256 of the whole content, computed by streaming it (may be slow for GiBs). */
  default String sha256() {
    return sha256Of(this);
  }

  /** Returns {@code len} bytes starting at {@code offset} as a new array. */
  default byte[] bytes(long offset, int len) {
    byte[] b = new byte[len];
    read(offset, b, 0, len);
    return b;
  }

  /** The whole content as an array; only for contents shorter than 2 GiB. */
  default byte[] toByteArray() {
    if (length() > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("content too large for an array: " + length());
    }
    return bytes(0, (int) length());
  }

  /** Writes the whole content to {@code file} (created or truncated), streaming it. */
  default void writeTo(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] buf = new byte[(int) Math.min(STREAM_BUFFER, Math.max(1, length()))];
      for (long pos = 0; pos < length(); ) {
        int n = (int) Math.min(buf.length, length() - pos);
        read(pos, buf, 0, n);
        out.write(buf, 0, n);
        pos += n;
      }
    }
  }

  /** Content holding a copy of {@code bytes}. */
  static Content of(byte[] bytes) {
    return new BytesContent(bytes.clone());
  }

  /** Content holding the UTF-8 encoding of {@code text}. */
  static Content ofString(String text) {
    return new BytesContent(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Deterministic pseudo-random content of any length: every 8-byte word is a hash of
   * {@code (seed, offset / 8)}, so any sub-range is computed directly, consistently, and cheaply.
   * Equal {@code (length, seed)} give equal bytes; a longer length with the same seed extends the
   * shorter one.
   */
  static Content pseudoRandom(long length, long seed) {
    return new PseudoRandomContent(length, seed);
  }

  /**
   * Content read from an existing file (positional reads; the file must not change while served).
   */
  static Content ofFile(Path file) throws IOException {
    return new FileContent(file);
  }

  /** Streaming SHA-256 of any content, as lowercase hex. */
  static String sha256Of(Content content) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long length = content.length();
    byte[] buf = new byte[(int) Math.min(STREAM_BUFFER, Math.max(1, length))];
    for (long pos = 0; pos < length; ) {
      int n = (int) Math.min(buf.length, length - pos);
      content.read(pos, buf, 0, n);
      md.update(buf, 0, n);
      pos += n;
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
