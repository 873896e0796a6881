package dev.rget.core.upload;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code Upload-Checksum} algorithm a client uses (tus checksum extension), chosen from what
 * the server announces ({@link #choose}), and the checksum of a range of a file in it.
 *
 * <p>CRC-32C comes first when offered: the JDK computes it with the CPU's CRC instructions, about
 * ten times as fast as SHA-256, and it catches what the check is there for, damage in transit (S3's
 * SDKs default to CRC checksums for upload integrity for the same reason). Then SHA-256, then
 * SHA-1.
 */
enum TusChecksum {
  /** CRC-32C, 4 bytes big-endian. */
  CRC32C("crc32c"),
  SHA256("sha256"),
  SHA1("sha1"),
  /** The server has no checksum extension (or none of its algorithms is known here): no header. */
  NONE(null);

  /** The name in {@code Upload-Checksum} and {@code Tus-Checksum-Algorithm}; null for {@link #NONE}. */
  final String token;

  TusChecksum(String token) {
    this.token = token;
  }

  /**
   * The algorithm to use with a server that answered {@code OPTIONS} with {@code status} and
   * {@code headers} (lower-case names). An answer that is not tus discovery (not 200 or 204, or no
   * {@code Tus-Version}) tells nothing: SHA-256, which tus servers with the checksum extension
   * commonly take and others ignore. Otherwise: none without {@code checksum} in
   * {@code Tus-Extension}, else the first of crc32c, sha256, sha1 in {@code Tus-Checksum-Algorithm}.
   */
  static TusChecksum choose(int status, Map<String, List<String>> headers) {
    if ((status != 200 && status != 204) || !headers.containsKey("tus-version")) {
      return SHA256;
    }
    if (!listed(headers.get("tus-extension")).contains("checksum")) {
      return NONE;
    }
    List<String> algorithms = listed(headers.get("tus-checksum-algorithm"));
    for (TusChecksum c : List.of(CRC32C, SHA256, SHA1)) {
      if (algorithms.contains(c.token)) {
        return c;
      }
    }
    return NONE;
  }

  /** The comma-separated items of a header's values, trimmed and lower-case. */
  private static List<String> listed(List<String> values) {
    if (values == null) {
      return List.of();
    }
    return values.stream().flatMap(v -> Arrays.stream(v.split(",")))
        .map(t -> t.strip().toLowerCase(Locale.ROOT)).filter(t -> !t.isEmpty()).toList();
  }

  /**
   * The {@code Upload-Checksum} value ({@code ALGORITHM BASE64}) of the file's bytes
   * [{@code offset}, {@code offset + len}), read through {@code buffer}; null for {@link #NONE}.
   *
   * @throws DownloadException LOCAL_IO if the file ends before
   */
  String of(FileChannel file, long offset, long len, ByteBuffer buffer) throws IOException {
    if (this == NONE) {
      return null;
    }
    java.util.zip.CRC32C crc = this == CRC32C ? new java.util.zip.CRC32C() : null;
    MessageDigest md = crc != null ? null : digest(this == SHA256 ? "SHA-256" : "SHA-1");
    long pos = offset;
    long end = offset + len;
    while (pos < end) {
      buffer.clear();
      buffer.limit((int) Math.min(buffer.capacity(), end - pos));
      int n = file.read(buffer, pos);
      if (n < 0) {
        throw new DownloadException(FailureKind.LOCAL_IO, "file shrank while uploading (at " + pos + ")");
      }
      buffer.flip();
      if (crc != null) {
        crc.update(buffer);
      } else {
        md.update(buffer);
      }
      pos += n;
    }
    byte[] sum;
    if (crc != null) {
      int v = (int) crc.getValue();
      sum = new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    } else {
      sum = md.digest();
    }
    return token + " " + Base64.getEncoder().encodeToString(sum);
  }

  private static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(name + " is missing from this JVM", e);
    }
  }
}
