package dev.rget.core.engine;

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

  Segment(long pos, long end) {
    this.pos = pos;
    this.end = end;
    this.reserved = pos;
    this.startedNanos = System.nanoTime();
  }

  long remaining() {
    return end - reserved;
  }

  @Override
  public String toString() {
    return "[" + pos + "," + end + ")";
  }
}
