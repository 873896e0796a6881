package dev.rget.core.transport;

import dev.rget.core.http.BodyLength;
import dev.rget.core.http.Headers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A response's status line and header block, parsed strictly (RFC 9112): a three-digit status,
 * header names without spaces, obsolete line folding replaced by a space, at most
 * {@link #MAX_FIELDS} fields, and one body framing that cannot be read two ways (see
 * {@link #bodyLength()}).
 *
 * @param status the status code
 * @param http10 whether the server speaks HTTP/1.0 (the connection then closes after the body)
 * @param headers lower-case name to values in order of arrival
 */
record ResponseHead(int status, boolean http10, Map<String, List<String>> headers) {
  static final int MAX_FIELDS = 256;

  static ResponseHead parse(String text) throws IOException {
    String[] lines = text.split("\r\n", -1);
    String statusLine = lines[0];
    if (!(statusLine.startsWith("HTTP/1.0 ") || statusLine.startsWith("HTTP/1.1 "))
        || statusLine.length() < 12 || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
      throw new IOException("not an HTTP/1.x status line: '" + abbreviate(statusLine) + "'");
    }
    int code = 0;
    for (int i = 9; i < 12; i++) {
      char c = statusLine.charAt(i);
      if (c < '0' || c > '9') {
        throw new IOException("bad status line '" + abbreviate(statusLine) + "'");
      }
      code = code * 10 + (c - '0');
    }
    if (code < 100) {
      throw new IOException("bad status code in '" + abbreviate(statusLine) + "'");
    }
    Map<String, List<String>> headers = new HashMap<>();
    String name = null;
    int fields = 0;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
        // obs-fold: RFC 9112 section 5.2 lets a client replace it with a space.
        if (name == null) {
          throw new IOException("header block starts with a continuation line");
        }
        List<String> values = headers.get(name);
        int last = values.size() - 1;
        values.set(last, (values.get(last) + " " + line.strip()).strip());
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || !isToken(line, colon)) {
        throw new IOException("malformed header line '" + abbreviate(line) + "'");
      }
      if (++fields > MAX_FIELDS) {
        throw new IOException("more than " + MAX_FIELDS + " header fields");
      }
      name = line.substring(0, colon).toLowerCase(Locale.ROOT);
      headers.computeIfAbsent(name, n -> Collections.synchronizedList(new ArrayList<>()))
          .add(line.substring(colon + 1).strip());
    }
    return new ResponseHead(code, statusLine.startsWith("HTTP/1.0"), headers);
  }

  private static boolean isToken(String line, int end) {
    for (int i = 0; i < end; i++) {
      char c = line.charAt(i);
      if (c <= ' ' || c >= 0x7f || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  Optional<String> first(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  List<String> all(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null ? List.of() : List.copyOf(v);
  }

  /** How the body is framed: Content-Length and Transfer-Encoding, read as the engine reads them. */
  BodyLength framing() throws IOException {
    return BodyLength.of(all(Headers.CONTENT_LENGTH), all(Headers.TRANSFER_ENCODING));
  }

  /**
   * The body length from Content-Length: -1 when absent or when a Transfer-Encoding overrides it.
   *
   * @throws IOException if a value is not all digits, or two values disagree (see
   *     {@link BodyLength#of})
   */
  long bodyLength() throws IOException {
    return framing().length();
  }
}
