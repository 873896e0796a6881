package dev.rget.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed HTTP/1.1 request head as {@link FaultServer} received it: request line and headers in
 * arrival order. Header lookups are case-insensitive. Immutable.
 */
public final class Request {
  private final String method;
  private final String target;
  private final String version;
  private final List<Map.Entry<String, String>> headers;

  /** Creates a request head; {@code headers} is copied. */
  public Request(String method, String target, String version,
      List<Map.Entry<String, String>> headers) {
    this.method = method;
    this.target = target;
    this.version = version;
    this.headers = List.copyOf(headers);
  }

  /** The method token, e.g. {@code GET}. */
  public String method() {
    return method;
  }

  /** The request-target exactly as sent (path and query). */
  public String target() {
    return target;
  }

  /** The path part of the target (no query), used for routing. */
  public String path() {
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  /** The protocol version, e.g. {@code HTTP/1.1}. */
  public String version() {
    return version;
  }

  /** All header fields in arrival order, names as sent. */
  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  /** All values of a header (case-insensitive name), in order. */
  public List<String> headers(String name) {
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().equalsIgnoreCase(name)) {
        values.add(h.getValue());
      }
    }
    return values;
  }

  /** The header's value (several fields joined with {@code ", "}), if present. */
  public Optional<String> header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", values));
  }

  /** Whether the header is present. */
  public boolean hasHeader(String name) {
    return !headers(name).isEmpty();
  }

  /** Whether the connection should stay open after the response (HTTP/1.1 keep-alive rules). */
  public boolean keepAlive() {
    String conn = header("Connection").orElse("").toLowerCase(Locale.ROOT);
    if (conn.contains("close")) {
      return false;
    }
    return "HTTP/1.1".equals(version) || conn.contains("keep-alive");
  }

  @Override
  public String toString() {
    return method + " " + target + " " + version + " " + headers;
  }
}
