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
 */
public record TransportRequest(String method, URI uri, Map<String, String> headers) {

  /** Copies the header map so the request stays immutable. */
  public TransportRequest {
    headers = Map.copyOf(new LinkedHashMap<>(headers));
  }

  /** A GET with the given headers. */
  public static TransportRequest get(URI uri, Map<String, String> headers) {
    return new TransportRequest("GET", uri, headers);
  }

  /** A HEAD with the given headers. */
  public static TransportRequest head(URI uri, Map<String, String> headers) {
    return new TransportRequest("HEAD", uri, headers);
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
}
