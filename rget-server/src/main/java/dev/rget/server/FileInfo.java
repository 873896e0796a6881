package dev.rget.server;

import dev.rget.core.http.EntityTag;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * What the server tells about a regular file: its length and validators. The strong ETag is a hash
 * of the file's identity (device and inode, via {@link BasicFileAttributes#fileKey()}), its size and
 * its modification time in nanoseconds, so a file replaced or rewritten in place gets a new tag.
 *
 * @param size length in bytes
 * @param lastModified modification time, full precision (Last-Modified sends whole seconds)
 * @param etag the strong entity tag
 * @param contentType by extension
 */
record FileInfo(long size, Instant lastModified, EntityTag etag, String contentType) {

  /** Validators and length of the file named {@code fileName} with attributes {@code a}. */
  static FileInfo of(String fileName, BasicFileAttributes a) {
    long mtimeNanos = a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    Object key = a.fileKey();
    long h = fnv1a64(key == null ? fileName : key.toString());
    h = mix(h ^ mtimeNanos);
    h = mix(h ^ a.size());
    String opaque = hex16(h) + "-" + Long.toHexString(a.size());
    return new FileInfo(
        a.size(), a.lastModifiedTime().toInstant(), EntityTag.strong(opaque), MimeTypes.forName(fileName));
  }

  /** The Preconditions view of this file. */
  Preconditions.Validators validators() {
    return new Preconditions.Validators(etag, lastModified);
  }

  private static long fnv1a64(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** The SplitMix64 finaliser: every input bit affects every output bit. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static String hex16(long v) {
    String s = Long.toHexString(v);
    return "0".repeat(16 - s.length()) + s;
  }
}
