package dev.rget.server.upload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the server knows of one upload, as saved in its {@code ID.info} file: the declared length
 * ({@link #UNKNOWN} while deferred), the durable offset (bytes of {@code ID.part} forced to disk
 * before this was saved), when it expires, the client's metadata (verbatim), the sanitized name it
 * will get, and, once complete, the name it got.
 *
 * @param kind {@link Kind#TUS} completes when the offset reaches the length; {@link Kind#DRAFT}
 *     only when a request says {@code Upload-Complete: ?1}
 * @param concat {@link Concat#NONE}, {@link Concat#PARTIAL} (kept in the hidden directory when
 *     complete, to be concatenated) or {@link Concat#FINAL} (assembled from {@link #parts})
 * @param parts for a final upload, the ids of its partial uploads in order; else empty
 * @param reprDigest for a draft upload, the {@code Repr-Digest} the whole data must have, or null
 */
record UploadInfo(String id, long length, long offset, long expiresMillis, String metadata, String name,
    boolean complete, String finalName, Kind kind, Concat concat, List<String> parts, String reprDigest) {
  static final String MAGIC = "rget-upload 1";
  /** An info file larger than this is not ours. */
  static final int MAX_BYTES = 64 * 1024;
  /** The length of an upload whose length is not known yet (deferred). */
  static final long UNKNOWN = -1;

  /** Which protocol's completion rule the upload follows. */
  enum Kind { TUS, DRAFT }

  /** The tus concatenation role of an upload. */
  enum Concat { NONE, PARTIAL, FINAL }

  UploadInfo {
    parts = List.copyOf(parts);
  }

  boolean lengthKnown() {
    return length != UNKNOWN;
  }

  UploadInfo withOffset(long newOffset, long newExpires) {
    return new UploadInfo(id, length, newOffset, newExpires, metadata, name, complete, finalName, kind, concat, parts,
        reprDigest);
  }

  UploadInfo withLength(long newLength) {
    return new UploadInfo(id, newLength, offset, expiresMillis, metadata, name, complete, finalName, kind, concat,
        parts, reprDigest);
  }

  UploadInfo completedAs(String finalName) {
    return new UploadInfo(id, length, offset, expiresMillis, metadata, name, true, finalName, kind, concat, parts,
        reprDigest);
  }

  byte[] encode() {
    StringBuilder b = new StringBuilder(MAGIC).append('\n')
        .append("length=").append(length).append('\n')
        .append("offset=").append(offset).append('\n')
        .append("expires=").append(expiresMillis).append('\n')
        .append("metadata=").append(metadata).append('\n')
        .append("name=").append(name).append('\n')
        .append("complete=").append(complete ? 1 : 0).append('\n')
        .append("kind=").append(kind.name()).append('\n')
        .append("concat=").append(concat.name()).append('\n')
        .append("parts=").append(String.join(" ", parts)).append('\n');
    if (reprDigest != null) {
      b.append("repr-digest=").append(reprDigest).append('\n');
    }
    if (finalName != null) {
      b.append("final=").append(finalName).append('\n');
    }
    return b.append("end\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Parses what {@link #encode()} wrote; anything else (torn, foreign) is an IOException. */
  static UploadInfo decode(String id, byte[] bytes) throws IOException {
    String text = new String(bytes, StandardCharsets.UTF_8);
    String[] lines = text.split("\n", -1);
    if (lines.length < 3 || !lines[0].equals(MAGIC) || !text.endsWith("\nend\n")) {
      throw new IOException("upload " + id + ": info file is not an rget upload record (torn or foreign)");
    }
    Map<String, String> v = new HashMap<>();
    for (int i = 1; i < lines.length - 2; i++) {
      int eq = lines[i].indexOf('=');
      if (eq <= 0) {
        throw new IOException("upload " + id + ": malformed info line " + i);
      }
      v.put(lines[i].substring(0, eq), lines[i].substring(eq + 1));
    }
    try {
      long length = Long.parseLong(v.get("length"));
      long offset = Long.parseLong(v.get("offset"));
      if (length < UNKNOWN || offset < 0 || (length != UNKNOWN && offset > length)) {
        throw new IOException("upload " + id + ": offset " + offset + " outside length " + length);
      }
      // Records written before kinds and concatenation existed are plain tus uploads.
      Kind kind = Kind.valueOf(v.getOrDefault("kind", "TUS"));
      Concat concat = Concat.valueOf(v.getOrDefault("concat", "NONE"));
      String p = v.getOrDefault("parts", "");
      List<String> parts = p.isEmpty() ? List.of() : List.of(p.split(" "));
      for (String part : parts) {
        if (!UploadStore.ID.matcher(part).matches()) {
          throw new IOException("upload " + id + ": malformed part id");
        }
      }
      return new UploadInfo(id, length, offset, Long.parseLong(v.get("expires")),
          v.getOrDefault("metadata", ""), v.get("name"), "1".equals(v.get("complete")), v.get("final"), kind, concat,
          parts, v.get("repr-digest"));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IOException("upload " + id + ": info file lacks a value: " + e.getMessage(), e);
    }
  }
}
