package dev.rget.core.engine;

import java.util.Map;

/** Names HTTP status codes for messages, and says which failures are worth retrying. */
final class HttpStatus {
  private static final Map<Integer, String> REASONS = Map.ofEntries(
      Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"),
      Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
      Map.entry(407, "Proxy Authentication Required"), Map.entry(408, "Request Timeout"),
      Map.entry(410, "Gone"), Map.entry(416, "Range Not Satisfiable"),
      Map.entry(429, "Too Many Requests"), Map.entry(500, "Internal Server Error"),
      Map.entry(501, "Not Implemented"), Map.entry(502, "Bad Gateway"),
      Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"));

  private HttpStatus() {}

  /** {@code 404 Not Found}, or just the number for codes without a known phrase. */
  static String describe(int status) {
    String reason = REASONS.get(status);
    return reason == null ? Integer.toString(status) : status + " " + reason;
  }

  /** Transient: a retry may succeed (timeouts, throttling, server errors). */
  static boolean isTransient(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  /** A redirect the engine follows. */
  static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }
}
