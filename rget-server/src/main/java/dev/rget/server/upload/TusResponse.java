package dev.rget.server.upload;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A response of the upload endpoint, decided off the network threads: status, headers, a short
 * body. The server adds {@code Date}, {@code Content-Length} and its own headers when sending.
 */
public final class TusResponse {
  private final int status;
  private final List<Map.Entry<String, String>> headers = new ArrayList<>();
  private byte[] body = new byte[0];

  TusResponse(int status) {
    this.status = status;
  }

  /** An error with a one-line text body saying why. */
  static TusResponse error(int status, String why) {
    TusResponse r = new TusResponse(status);
    r.header("Content-Type", "text/plain; charset=utf-8");
    r.body = (why + "\n").getBytes(StandardCharsets.UTF_8);
    return r;
  }

  /**
   * An RFC 9457 problem details response ({@code application/problem+json}).
   *
   * @param type the problem type URI, or null for {@code about:blank}
   * @param members further members, numbers (Long) or text
   */
  static TusResponse problem(int status, String type, String title, String detail, Map<String, Object> members) {
    TusResponse r = new TusResponse(status);
    r.header("Content-Type", "application/problem+json");
    StringBuilder b = new StringBuilder("{");
    if (type != null) {
      b.append("\"type\":").append(json(type)).append(',');
    }
    b.append("\"status\":").append(status).append(",\"title\":").append(json(title));
    if (detail != null) {
      b.append(",\"detail\":").append(json(detail));
    }
    for (Map.Entry<String, Object> e : members.entrySet()) {
      b.append(',').append(json(e.getKey())).append(':')
          .append(e.getValue() instanceof Long n ? n.toString() : json(String.valueOf(e.getValue())));
    }
    r.body = b.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
    return r;
  }

  /** A JSON string literal (control characters and non-ASCII escaped). */
  private static String json(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c >= 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  TusResponse header(String name, Object value) {
    headers.add(Map.entry(name, String.valueOf(value)));
    return this;
  }

  /** The status code. */
  public int status() {
    return status;
  }

  /** Header fields in order (names as sent). */
  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  /** The body (empty for most responses). */
  public byte[] body() {
    return body;
  }

  /** The first value of {@code name}, or null (case-insensitive); for tests and logs. */
  public String header(String name) {
    for (Map.Entry<String, String> e : headers) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }
}
