package dev.rget.core.engine;

import dev.rget.core.transport.TransportResponse;

/** How a parallel fetch ended when it did not fail: every byte written, or ranges given up. */
sealed interface FetchOutcome {

  /** Every missing byte is written. */
  record Done() implements FetchOutcome {}

  /**
   * Range requests do not work with this server; the download continues as one stream from byte
   * 0.
   *
   * @param why what the server did, for the user's notice
   * @param response an open 200 holding the whole file from byte 0, or {@code null} to send a new
   *     plain GET
   */
  record FallBack(String why, TransportResponse response) implements FetchOutcome {}
}
