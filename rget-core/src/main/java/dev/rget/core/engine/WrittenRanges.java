package dev.rget.core.engine;

import dev.rget.core.range.RangeSet;

/**
 * The ledger of bytes written to the part file. A range enters only after its positional write
 * returned, so a state saved from a snapshot never claims a byte the file does not hold.
 */
final class WrittenRanges {
  private final RangeSet written;
  private long changes;

  WrittenRanges(RangeSet initial) {
    this.written = initial.copy();
  }

  synchronized void add(long start, long endExclusive) {
    written.add(start, endExclusive);
    changes++;
  }

  /**
   * Forgets {@code [start, endExclusive)}: those bytes of the part file were overwritten with
   * bytes that turned out to be wrong, and must be fetched again.
   */
  synchronized void discard(long start, long endExclusive) {
    written.remove(start, endExclusive);
    changes++;
  }

  synchronized RangeSet snapshot() {
    return written.copy();
  }

  /** A counter that moves on every change, to skip saves when nothing happened. */
  synchronized long changeCount() {
    return changes;
  }

  synchronized long size() {
    return written.size();
  }

  synchronized boolean covers(long length) {
    return written.containsAll(0, length);
  }
}
