package dev.rget.core.transport;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A response whose headers have arrived and whose body can be pulled chunk by chunk. Closing it
 * before the body ends aborts the transfer (the connection is not reused).
 */
public interface TransportResponse extends AutoCloseable {

  /** The status code. */
  int status();

  /** The URI this response came from. */
  URI uri();

  /** The first value of a header (names compare case-insensitively). */
  Optional<String> header(String name);

  /** Every value of a header, in order. */
  List<String> headers(String name);

  /**
   * The next piece of the body, or {@code null} at its end. The buffer is valid until the next
   * call; the caller consumes it entirely.
   *
   * @param stallTimeout how long to wait for bytes before giving up
   * @throws StallException if no bytes arrived within {@code stallTimeout}
   * @throws IOException if the connection failed (reset, truncated chunked body, ...)
   */
  ByteBuffer next(Duration stallTimeout) throws IOException;

  /** Aborts the body if it has not ended; never throws. */
  @Override
  void close();
}
