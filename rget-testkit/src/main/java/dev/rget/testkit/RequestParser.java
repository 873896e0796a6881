package dev.rget.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads one request head (and discards any Content-Length body) from a connection's stream. */
final class RequestParser {
  private static final int MAX_LINE = 16 * 1024;
  private static final int MAX_HEADERS = 200;

  private final InputStream in;

  RequestParser(InputStream in) {
    this.in = in;
  }

  /**
   * The next request, or null if the peer closed the connection cleanly before sending one.
   *
   * @throws ProtocolException on a malformed request head
   */
  Request next() throws IOException {
    String line = readLine(true);
    while (line != null && line.isEmpty()) { // tolerate stray CRLF between requests
      line = readLine(true);
    }
    if (line == null) {
      return null;
    }
    String[] parts = line.split(" ", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()
        || !parts[2].startsWith("HTTP/")) {
      throw new ProtocolException("bad request line: " + line);
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    while (true) {
      String h = readLine(false);
      if (h.isEmpty()) {
        break;
      }
      int colon = h.indexOf(':');
      if (colon <= 0 || headers.size() >= MAX_HEADERS) {
        throw new ProtocolException("bad header line: " + h);
      }
      headers.add(new AbstractMap.SimpleImmutableEntry<>(
          h.substring(0, colon).trim(), h.substring(colon + 1).trim()));
    }
    Request request = new Request(parts[0], parts[1], parts[2], headers);
    skipBody(request);
    return request;
  }

  private void skipBody(Request request) throws IOException {
    if (request.hasHeader("Transfer-Encoding")) {
      throw new ProtocolException("request bodies with Transfer-Encoding are not supported");
    }
    String cl = request.header("Content-Length").orElse(null);
    if (cl == null) {
      return;
    }
    long n;
    try {
      n = Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      throw new ProtocolException("bad Content-Length: " + cl);
    }
    while (n > 0) {
      long skipped = in.skip(n);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new ProtocolException("request body truncated");
        }
        skipped = 1;
      }
      n -= skipped;
    }
  }

  /** A line without its CRLF (bare LF tolerated); null at EOF if {@code eofOk} and nothing read. */
  private String readLine(boolean eofOk) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
    while (true) {
      int c = in.read();
      if (c < 0) {
        if (eofOk && buf.size() == 0) {
          return null;
        }
        throw new ProtocolException("connection closed mid-request");
      }
      if (c == '\n') {
        break;
      }
      buf.write(c);
      if (buf.size() > MAX_LINE) {
        throw new ProtocolException("line too long");
      }
    }
    byte[] b = buf.toByteArray();
    int len = b.length;
    if (len > 0 && b[len - 1] == '\r') {
      len--;
    }
    return new String(b, 0, len, StandardCharsets.ISO_8859_1);
  }
}
