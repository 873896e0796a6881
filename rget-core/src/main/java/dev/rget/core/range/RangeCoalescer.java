package dev.rget.core.range;

import java.util.ArrayList;
import java.util.List;

/**
 * Merges byte ranges that overlap or lie close together (RFC 9110 section 14.3: a server MAY
 * coalesce ranges that overlap or that are separated by a gap smaller than the overhead of sending
 * another part). After coalescing the ranges are disjoint, so the bytes they cover never exceed the
 * representation's length: this is what defeats the "Apache Killer" header (CVE-2011-3192), whose
 * hundreds of overlapping ranges would otherwise multiply the reply. Pure: no I/O, no state.
 */
public final class RangeCoalescer {
  private RangeCoalescer() {}

  /**
   * Coalesces {@code ranges}. Two ranges merge when they overlap or when fewer than {@code maxGap}
   * bytes separate them (so {@code maxGap = 1} merges adjacent ranges like {@code 0-4,5-9}).
   *
   * <p>Order: if nothing merges, the ranges come back in the order given, as RFC 9110 asks
   * ("the parts in the same order that the corresponding range-spec appeared"); if anything
   * merges, they come back sorted by offset, which the RFC allows for coalesced ranges.
   *
   * @param ranges resolved, satisfiable ranges, in request order
   * @param maxGap ranges whose gap is below this many bytes are merged; {@code >= 0}
   * @return disjoint ranges, never more than given
   */
  public static List<ByteRange> coalesce(List<ByteRange> ranges, long maxGap) {
    if (maxGap < 0) {
      throw new IllegalArgumentException("negative gap " + maxGap);
    }
    if (ranges.size() < 2) {
      return List.copyOf(ranges);
    }
    List<ByteRange> sorted = new ArrayList<>(ranges);
    sorted.sort(null);
    List<ByteRange> merged = new ArrayList<>(sorted.size());
    ByteRange current = sorted.get(0);
    for (int i = 1; i < sorted.size(); i++) {
      ByteRange next = sorted.get(i);
      // gap = next.first - current.last - 1; compare without overflow (last < Long.MAX_VALUE).
      if (next.first() - current.last() - 1 < maxGap) {
        current = new ByteRange(current.first(), Math.max(current.last(), next.last()));
      } else {
        merged.add(current);
        current = next;
      }
    }
    merged.add(current);
    return merged.size() == ranges.size() ? List.copyOf(ranges) : List.copyOf(merged);
  }
}
