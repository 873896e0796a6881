package dev.rget.core.engine;

import dev.rget.core.transport.TransportResponse;
import java.io.IOException;

/**
 * The server answered a ranged request with 200 and the whole body: it does not do ranges. The
 * response is handed over, still open, so its body can become the single stream from byte 0.
 */
final class RangesIgnoredException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient TransportResponse response;

  RangesIgnoredException(TransportResponse response) {
    super("server ignores Range requests");
    this.response = response;
  }

  TransportResponse response() {
    return response;
  }
}
