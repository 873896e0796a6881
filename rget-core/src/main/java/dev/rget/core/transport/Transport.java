package dev.rget.core.transport;

import java.io.IOException;

/**
 * Sends HTTP requests: with HTTP/1.1 ({@link Http1Transport}) one connection per request in
 * flight, with HTTP/2 ({@link Http2Transport}) streams on shared connections. Redirects are not
 * followed: the engine follows them itself, so it sees every hop. Implementations are thread-safe.
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
