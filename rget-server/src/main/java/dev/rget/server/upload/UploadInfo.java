package dev.rget.server.upload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * What the server knows of one upload, as saved in its {@code ID.info} file: the declared length,
 * the durable offset (bytes of {@code ID.part} forced to disk before this was saved), when it
 * expires, the client's metadata (verbatim), the sanitized name it will get, and, once complete,
 * the name it got.
 */
record UploadInfo(String id, long length, long offset, long expiresMillis, String metadata, String name,
    boolean complete, String finalName) {
  static final String MAGIC = "rget-upload 1";
  /** An info file larger than this is not ours. */
  static final int MAX_BYTES = 64 * 1024;

  UploadInfo withOffset(long newOffset, long newExpires) {
    return new UploadInfo(id, length, newOffset, newExpires, metadata, name, complete, finalName);
  }

  UploadInfo completedAs(String finalName) {
    return new UploadInfo(id, length, offset, expiresMillis, metadata, name, true, finalName);
  }

  byte[] encode() {
    StringBuilder b = new StringBuilder(MAGIC).append('\n')
        .append("length=").append(length).append('\n')
        .append("offset=").append(offset).append('\n')
        .append("expires=").append(expiresMillis).append('\n')
        .append("metadata=").append(metadata).append('\n')
        .append("name=").append(name).append('\n')
        .append("complete=").append(complete ? 1 : 0).append('\n');
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
      if (length < 0 || offset < 0 || offset > length) {
        throw new IOException("upload " + id + ": offset " + offset + " outside length " + length);
      }
      return new UploadInfo(id, length, offset, Long.parseLong(v.get("expires")),
          v.getOrDefault("metadata", ""), v.get("name"), "1".equals(v.get("complete")), v.get("final"));
    } catch (NumberFormatException | NullPointerException e) {
      throw new IOException("upload " + id + ": info file lacks a number: " + e.getMessage(), e);
    }
  }
}
