package dev.rget.core.engine;

import dev.rget.core.transport.TransportResponse;

/**
 * A half-open run of bytes {@code [pos, end)} being fetched by one connection. {@code pos} moves
 * forward as bytes are written; {@code end} may move back when another connection steals the
 * tail. Both change only under the scheduler's lock; {@code reserved} marks how far the owner
 * has claimed bytes it is writing right now, which a steal never takes.
 */
final class Segment {
  long pos;
  long end;
  long reserved;
  /** When the segment was handed out, and bytes written since: its owner's rate. */
  final long startedNanos;
  long writtenSinceStart;
  /** The response its owner is reading right now, or {@code null}. */
  private volatile TransportResponse response;

  Segment(long pos, long end, long startedNanos) {
    this.pos = pos;
    this.end = end;
    this.reserved = pos;
    this.startedNanos = startedNanos;
  }

  long remaining() {
    return end - reserved;
  }

  /** Records the response the owner reads this segment from ({@code null}: none now). */
  void watch(TransportResponse r) {
    response = r;
  }

  /**
   * Closes the owner's response: all of the segment was given to another connection, and a
   * response that delivers nothing would otherwise hold its connection until the stall timeout.
   */
  void abandon() {
    TransportResponse r = response;
    if (r != null) {
      r.close();
    }
  }

  @Override
  public String toString() {
    return "[" + pos + "," + end + ")";
  }
}
