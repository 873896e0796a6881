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
