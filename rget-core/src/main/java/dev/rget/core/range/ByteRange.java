package dev.rget.core.range;

/**
 * A non-empty run of bytes {@code [first, last]}, both ends inclusive, exactly as HTTP writes it
 * ({@code bytes=first-last}). Offsets are {@code long} so files above 4 GiB work everywhere.
 *
 * @param first offset of the first byte, {@code >= 0}
 * @param last offset of the last byte, {@code >= first}
 */
public record ByteRange(long first, long last) implements Comparable<ByteRange> {

  /** Validates the bounds. */
  public ByteRange {
    if (first < 0 || last < first) {
      throw new IllegalArgumentException("invalid byte range " + first + "-" + last);
    }
  }

  /** The range {@code [start, endExclusive)}; {@code endExclusive} must exceed {@code start}. */
  public static ByteRange ofHalfOpen(long start, long endExclusive) {
    return new ByteRange(start, endExclusive - 1);
  }

  /** Number of bytes in the range (never zero). */
  public long length() {
    return last - first + 1;
  }

  /** Offset just past the last byte. */
  public long endExclusive() {
    return last + 1;
  }

  /** Whether {@code offset} lies inside this range. */
  public boolean contains(long offset) {
    return offset >= first && offset <= last;
  }

  /** Whether every byte of {@code other} lies inside this range. */
  public boolean contains(ByteRange other) {
    return other.first >= first && other.last <= last;
  }

  /** The wire form {@code first-last}, as used in Range and Content-Range. */
  @Override
  public String toString() {
    return first + "-" + last;
  }

  @Override
  public int compareTo(ByteRange o) {
    int c = Long.compare(first, o.first);
    return c != 0 ? c : Long.compare(last, o.last);
  }
}
