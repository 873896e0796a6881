package dev.rget.core.transport;

import java.io.IOException;

/**
 * A TCP connection was not established within the connect timeout. An {@link IOException} of its
 * own (not a {@link java.net.SocketTimeoutException}, which is an
 * {@link java.io.InterruptedIOException} and would read as an interrupt to the engine), so that
 * callers can tell "the host did not answer in time" from "refused" and from a stall.
 */
public final class ConnectTimeoutException extends IOException {
  private static final long serialVersionUID = 1L;

  /** @param message names the address that did not answer */
  public ConnectTimeoutException(String message) {
    super(message);
  }
}
