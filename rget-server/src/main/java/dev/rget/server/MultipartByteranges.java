package dev.rget.server;

import dev.rget.core.range.ByteRange;
import dev.rget.core.range.ContentRange;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The framing of a {@code multipart/byteranges} body (RFC 9110 section 14.6): per part a delimiter
 * line, Content-Type and Content-Range, then the part's bytes; then the close delimiter. Only the
 * framing lives here (as small byte arrays); the file bytes between them are sent zero-copy. The
 * exact body length is known up front, so the reply carries Content-Length.
 *
 * @param boundary the boundary, unpredictable (so file content cannot forge a delimiter)
 * @param headers per part, the bytes that precede its data
 * @param ranges per part, the file range it carries
 * @param trailer the close delimiter
 * @param contentLength the exact length of the whole body
 */
record MultipartByteranges(
    String boundary, List<byte[]> headers, List<ByteRange> ranges, byte[] trailer, long contentLength) {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Frames {@code ranges} of a {@code completeLength}-byte representation of {@code type}. */
  static MultipartByteranges of(List<ByteRange> ranges, long completeLength, String type) {
    String boundary = newBoundary();
    List<byte[]> headers = new ArrayList<>(ranges.size());
    long length = 0;
    for (int i = 0; i < ranges.size(); i++) {
      ByteRange r = ranges.get(i);
      String h = (i == 0 ? "" : "\r\n") + "--" + boundary + "\r\n"
          + "Content-Type: " + type + "\r\n"
          + "Content-Range: " + ContentRange.of(r, completeLength).format() + "\r\n\r\n";
      byte[] bytes = h.getBytes(StandardCharsets.US_ASCII);
      headers.add(bytes);
      length += bytes.length + r.length();
    }
    byte[] trailer = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    length += trailer.length;
    return new MultipartByteranges(boundary, List.copyOf(headers), List.copyOf(ranges), trailer, length);
  }

  /** The Content-Type of the whole reply. */
  String contentType() {
    return "multipart/byteranges; boundary=" + boundary;
  }

  /** 128 random bits in hex: a boundary no file can be guessed to contain. */
  static String newBoundary() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
