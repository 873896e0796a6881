package dev.rget.testkit;

import java.util.Optional;

/**
 * One entry of {@link FaultServer#requests()}: a request and what the server did with it.
 *
 * @param connection the connection's accept order number, starting at 1
 * @param request the parsed request head
 * @param status the status code sent (0 if the exchange was handed to a {@link RawHandler} that
 *     did not report one, or if nothing was sent)
 * @param bodyBytes body payload bytes that {@code write} accepted for this response (chunk framing
 *     excluded; gzip responses count compressed bytes)
 * @param complete whether the whole announced body was written (false when a fault cut it short,
 *     the client went away, or the server closed)
 */
public record RequestRecord(
    long connection, Request request, int status, long bodyBytes, boolean complete) {

  /** The request method. */
  public String method() {
    return request.method();
  }

  /** The request path (no query). */
  public String path() {
    return request.path();
  }

  /** A request header (case-insensitive). */
  public Optional<String> header(String name) {
    return request.header(name);
  }
}
