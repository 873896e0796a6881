package dev.rget.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The path of a request target, decoded once and checked so that it can only name something inside
 * the served directory. Pure: no file system access (symlinks are checked by the caller after
 * resolving).
 *
 * <p>Rules, each guarding a known escape:
 *
 * <ul>
 *   <li>The raw path is split on {@code /} <em>before</em> percent-decoding, then each segment is
 *       decoded exactly once; so {@code %2f} cannot create a new separator and {@code %252e%252e}
 *       stays the literal name {@code %2e%2e}.
 *   <li>A decoded segment holding {@code /}, {@code \}, NUL or another control character is
 *       rejected, as is a segment that is {@code ..} (however it was spelt); {@code .} and empty
 *       segments are dropped.
 *   <li>Malformed percent-escapes and invalid UTF-8 are rejected.
 * </ul>
 *
 * @param segments the decoded path segments, none empty, {@code .} or {@code ..}
 * @param trailingSlash whether the raw path ended in {@code /}
 */
record RequestPath(List<String> segments, boolean trailingSlash) {

  /** Thrown for a target that cannot be served; the message says why (for logs and tests). */
  static final class BadPathException extends Exception {
    BadPathException(String message) {
      super(message, null, false, false);
    }
  }

  RequestPath {
    segments = List.copyOf(segments);
  }

  /**
   * Parses a request target in origin-form ({@code /a/b?q}) or absolute-form
   * ({@code http://host/a/b}).
   */
  static RequestPath parse(String target) throws BadPathException {
    if (target == null || target.isEmpty()) {
      throw new BadPathException("empty request target");
    }
    String path = target;
    String lower = path.length() >= 8 ? path.substring(0, 8).toLowerCase(Locale.ROOT) : "";
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      int authority = path.indexOf("//") + 2;
      int slash = path.indexOf('/', authority);
      path = slash < 0 ? "/" : path.substring(slash);
    }
    if (path.charAt(0) != '/') {
      throw new BadPathException("request target is not an absolute path");
    }
    int end = path.length();
    int q = path.indexOf('?');
    if (q >= 0) {
      end = q;
    }
    int h = path.indexOf('#');
    if (h >= 0 && h < end) {
      end = h;
    }
    path = path.substring(0, end);

    List<String> segments = new ArrayList<>();
    int i = 1;
    while (i <= path.length()) {
      int slash = path.indexOf('/', i);
      int stop = slash < 0 ? path.length() : slash;
      if (stop > i) {
        String segment = decode(path.substring(i, stop));
        checkSegment(segment);
        if (!segment.equals(".")) {
          segments.add(segment);
        }
      }
      i = stop + 1;
    }
    return new RequestPath(segments, path.endsWith("/"));
  }

  /** {@code /a/b/} with each segment percent-encoded: safe to send back in Location. */
  String encoded(boolean withTrailingSlash) {
    StringBuilder sb = new StringBuilder();
    for (String s : segments) {
      sb.append('/').append(encodeSegment(s));
    }
    if (withTrailingSlash || sb.length() == 0) {
      sb.append('/');
    }
    return sb.toString();
  }

  /** {@code /a/b/} decoded, for display. */
  String display() {
    return segments.isEmpty() ? "/" : "/" + String.join("/", segments) + "/";
  }

  private static void checkSegment(String s) throws BadPathException {
    if (s.equals("..")) {
      throw new BadPathException("'..' segment");
    }
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '/' || c == '\\') {
        throw new BadPathException("separator inside a segment");
      }
      if (c < 0x20 || c == 0x7f) {
        throw new BadPathException("control character in path");
      }
    }
  }

  /** Decodes %XX escapes once, then UTF-8 strictly. */
  private static String decode(String raw) throws BadPathException {
    if (raw.indexOf('%') < 0 && isAscii(raw)) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int k = 0; k < raw.length(); k++) {
      char c = raw.charAt(k);
      if (c == '%') {
        if (k + 2 >= raw.length()) {
          throw new BadPathException("truncated percent-escape");
        }
        int hi = hexValue(raw.charAt(k + 1));
        int lo = hexValue(raw.charAt(k + 2));
        if (hi < 0 || lo < 0) {
          throw new BadPathException("malformed percent-escape");
        }
        bytes.write(hi << 4 | lo);
        k += 2;
      } else if (c <= 0xff) {
        // Netty hands over the request line as ISO-8859-1: one char per received byte, so raw
        // (unescaped) UTF-8 arrives as its bytes and is decoded below like escaped UTF-8.
        bytes.write(c);
      } else {
        throw new BadPathException("non-octet character in path");
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new BadPathException("path is not valid UTF-8");
    }
  }

  /** The value of an ASCII hex digit, or -1 (Character.digit would accept non-ASCII digits). */
  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static boolean isAscii(String s) {
    for (int k = 0; k < s.length(); k++) {
      if (s.charAt(k) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters. */
  static String encodeSegment(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }
}
