package dev.rget.core.range;

import java.util.Optional;

/**
 * One {@code range-spec} of a Range header (RFC 9110 section 14.1.1), before it is applied to a
 * representation of known length: {@code first-last}, {@code first-} (open) or {@code -n} (suffix).
 * Positions too large for a {@code long} are saturated to {@link Long#MAX_VALUE}, which keeps their
 * meaning ("past any real file") without overflow.
 */
public final class RangeSpec {
  /** Marks an absent {@code last-pos} or {@code first-pos}. */
  private static final long NONE = -1;

  private final long first;
  private final long last;
  private final long suffixLength;

  private RangeSpec(long first, long last, long suffixLength) {
    this.first = first;
    this.last = last;
    this.suffixLength = suffixLength;
  }

  /** {@code first-last}; {@code last >= first >= 0}. */
  public static RangeSpec closed(long first, long last) {
    if (first < 0 || last < first) {
      throw new IllegalArgumentException("invalid range-spec " + first + "-" + last);
    }
    return new RangeSpec(first, last, NONE);
  }

  /** {@code first-}: from {@code first} to the end. */
  public static RangeSpec open(long first) {
    if (first < 0) {
      throw new IllegalArgumentException("negative first-pos " + first);
    }
    return new RangeSpec(first, NONE, NONE);
  }

  /** {@code -n}: the last {@code n} bytes. */
  public static RangeSpec suffix(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative suffix-length " + n);
    }
    return new RangeSpec(NONE, NONE, n);
  }

  /** Whether this is a suffix range ({@code -n}). */
  public boolean isSuffix() {
    return suffixLength != NONE;
  }

  /**
   * Applies this spec to a representation of {@code length} bytes (RFC 9110 section 14.1.2):
   * the last position is clipped to the end; empty if unsatisfiable (first-pos at or past the end,
   * a zero suffix, or an empty representation).
   */
  public Optional<ByteRange> resolve(long length) {
    if (length <= 0) {
      return Optional.empty();
    }
    if (isSuffix()) {
      if (suffixLength == 0) {
        return Optional.empty();
      }
      return Optional.of(new ByteRange(Math.max(0, length - suffixLength), length - 1));
    }
    if (first >= length) {
      return Optional.empty();
    }
    long end = last == NONE ? length - 1 : Math.min(last, length - 1);
    return Optional.of(new ByteRange(first, end));
  }

  /** The wire form: {@code a-b}, {@code a-} or {@code -n}. */
  @Override
  public String toString() {
    if (isSuffix()) {
      return "-" + suffixLength;
    }
    return last == NONE ? first + "-" : first + "-" + last;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RangeSpec r
        && r.first == first && r.last == last && r.suffixLength == suffixLength;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(first) * 31 * 31 + Long.hashCode(last) * 31 + Long.hashCode(suffixLength);
  }
}
