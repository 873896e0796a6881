package dev.rget.core.transport;

import java.io.IOException;

/** No bytes arrived on a connection for longer than the stall timeout. */
public final class StallException extends IOException {
  private static final long serialVersionUID = 1L;

  /** A stall with a message naming the timeout. */
  public StallException(String message) {
    super(message);
  }
}
