package dev.rget.core.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The byte stream an HTTP/1.1 connection runs over: plain TCP ({@link PlainWire}) or TLS on top
 * of it ({@link TlsWire}). Reads never block; the connection waits on {@link #socket()}.
 */
interface Wire {

  /** The socket underneath, for waiting. */
  NioSocket socket();

  /**
   * Moves the bytes available now into {@code dst} without blocking.
   *
   * @return bytes moved, 0 if none are available yet, -1 at a clean end of stream
   * @throws IOException if the stream broke (for TLS: it ended without {@code close_notify})
   */
  int read(ByteBuffer dst) throws IOException;

  /** Sends all of {@code src}, waiting at most {@code timeout} each time the socket is full. */
  void writeFully(ByteBuffer src, Duration timeout) throws IOException;

  /** Whether bytes already received are held inside the wire, not yet handed out by read. */
  boolean hasBuffered();

  /** Closes the connection (with the protocol's goodbye where it has one); never throws. */
  void close();
}
