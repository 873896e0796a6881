package dev.rget.core.engine;

import dev.rget.core.transport.TransportResponse;
import java.io.IOException;

/**
 * Range requests do not work with this server: it answered one with 200 and the whole body (the
 * response is handed over, still open, so its body can become the single stream from byte 0), or
 * with a 200 that is not the whole file (no response is handed over; the stream starts with a
 * plain GET). The message says which, for the user's notice.
 */
final class RangesIgnoredException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient TransportResponse response;

  RangesIgnoredException(String message, TransportResponse response) {
    super(message);
    this.response = response;
  }

  /** The open 200 response carrying the whole file from byte 0, or {@code null}. */
  TransportResponse response() {
    return response;
  }
}
