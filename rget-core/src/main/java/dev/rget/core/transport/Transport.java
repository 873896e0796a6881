package dev.rget.core.transport;

import java.io.IOException;

/**
 * Sends HTTP/1.1 requests, one TCP connection per in-flight request. Redirects are not followed:
 * the engine follows them itself, so it sees every hop. Implementations are thread-safe.
 */
public interface Transport extends AutoCloseable {

  /**
   * Sends a request and returns once the response headers have arrived.
   *
   * @throws IOException on connection failure or when no headers arrived in time
   */
  TransportResponse send(TransportRequest request) throws IOException;

  /** Releases connections and threads. */
  @Override
  void close();
}
