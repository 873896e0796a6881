package dev.rget.core.engine;

import dev.rget.core.range.ByteRange;
import dev.rget.core.transport.TransportResponse;

/**
 * The answer to the first request of a download: what it says about the file, and its body, still
 * open, so the bytes it carries are not fetched twice. The probe asks for the first piece of the
 * file ({@code Range: bytes=0-N}); a 206 body becomes the first segment, a 200 body the single
 * stream.
 *
 * @param remote what the server said about the file
 * @param body the open response, or {@code null} when its body is of no use (already closed)
 * @param asked the range the probe asked for
 */
record Probe(RemoteFile remote, TransportResponse body, ByteRange asked) implements AutoCloseable {

  /** Whether the body is a 206 holding the start of the file. */
  boolean hasPartialBody() {
    return body != null && body.status() == 206;
  }

  /** Whether the body is a 200 holding the whole file from byte 0. */
  boolean hasFullBody() {
    return body != null && body.status() == 200;
  }

  /** Closes the body if nobody took it. */
  @Override
  public void close() {
    if (body != null) {
      body.close();
    }
  }
}
