package dev.rget.server.upload;

import java.nio.charset.StandardCharsets;

/**
 * Turns a client's {@code filename} metadata into one harmless path component: the last segment
 * after any {@code /} or {@code \}, without control characters or bidi overrides, no leading
 * dot (a dotfile would be hidden, and {@code .}/{@code ..} are not names), at most 200 bytes of
 * UTF-8. Whatever remains empty gets the fallback.
 */
final class SafeName {
  static final int MAX_BYTES = 200;

  private SafeName() {}

  static String of(String proposed, String fallback) {
    if (proposed == null) {
      return fallback;
    }
    String s = proposed;
    int cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
    s = s.substring(cut + 1);
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> {
      boolean control = c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0);
      boolean bidi = (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f;
      boolean unpaired = Character.getType(c) == Character.SURROGATE;
      b.appendCodePoint(control || bidi || unpaired ? '_' : c);
    });
    int lead = 0;
    while (lead < b.length() && b.charAt(lead) == '.') {
      b.setCharAt(lead++, '_');
    }
    String out = b.toString().strip();
    while (out.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      out = out.substring(0, out.offsetByCodePoints(out.length(), -1));
    }
    return out.isEmpty() ? fallback : out;
  }
}
