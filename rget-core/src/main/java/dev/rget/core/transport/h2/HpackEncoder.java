package dev.rget.core.transport.h2;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes request header blocks as HPACK literals without indexing, names and values raw (RFC
 * 7541 6.2.2). A download sends a handful of small requests per connection, so compression would
 * save little, and a stateless encoder can never fall out of step with the server's table.
 */
public final class HpackEncoder {
  private HpackEncoder() {}

  /** The header block for {@code fields}, in order; names must already be lower case. */
  public static byte[] encode(List<HeaderField> fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    for (HeaderField f : fields) {
      out.write(0x00);
      string(out, f.name());
      string(out, f.value());
    }
    return out.toByteArray();
  }

  private static void string(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    integer(out, b.length, 7, 0x00);
    out.write(b, 0, b.length);
  }

  /** An integer with an N-bit prefix (RFC 7541 5.1), the prefix's upper bits set to flags. */
  static void integer(ByteArrayOutputStream out, int value, int prefix, int flags) {
    int max = (1 << prefix) - 1;
    if (value < max) {
      out.write(flags | value);
      return;
    }
    out.write(flags | max);
    value -= max;
    while (value >= 0x80) {
      out.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }
}
