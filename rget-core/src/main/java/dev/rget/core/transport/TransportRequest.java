package dev.rget.core.transport;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP request as the engine asks for it: method, URI and extra headers. Immutable.
 *
 * @param method {@code GET} or {@code HEAD}
 * @param uri absolute http or https URI
 * @param headers header name to value, in the order given
 * @param publicAddressOnly the connection must go to a public address ({@link PrivateAddress}),
 *     checked on the address connected to; a connection opened without that check is never
 *     reused for such a request
 */
public record TransportRequest(String method, URI uri, Map<String, String> headers,
    boolean publicAddressOnly) {

  /** Copies the header map so the request stays immutable. */
  public TransportRequest {
    headers = Map.copyOf(new LinkedHashMap<>(headers));
  }

  /** A request that may go to any address. */
  public TransportRequest(String method, URI uri, Map<String, String> headers) {
    this(method, uri, headers, false);
  }

  /** The value of a header of this request, or {@code null}. */
  public String header(String name) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  /**
   * Refuses a header that would break the request's framing: a name that is empty or not a
   * token-like run of visible ASCII, a value with CR, LF, NUL or a character beyond Latin-1.
   *
   * @throws IllegalArgumentException naming the header
   */
  static void checkHeader(String name, String value) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty header name");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == ':') {
        throw new IllegalArgumentException("bad header name " + name);
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
        throw new IllegalArgumentException("bad character in header " + name);
      }
    }
  }
}
