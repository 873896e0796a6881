package dev.rget.core.range;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of byte offsets kept as disjoint, non-adjacent half-open intervals: which parts of a file
 * are done. Adding merges neighbours, so the set stays as small as the holes in it. Not
 * thread-safe; callers synchronise.
 */
public final class RangeSet {
  /** start -> endExclusive, intervals disjoint and never touching. */
  private final TreeMap<Long, Long> intervals = new TreeMap<>();

  /** Adds {@code [start, endExclusive)}; an empty interval is ignored. */
  public void add(long start, long endExclusive) {
    if (start < 0 || endExclusive < start) {
      throw new IllegalArgumentException("bad interval " + start + ".." + endExclusive);
    }
    if (start == endExclusive) {
      return;
    }
    Map.Entry<Long, Long> before = intervals.floorEntry(start);
    if (before != null && before.getValue() >= start) {
      start = before.getKey();
      endExclusive = Math.max(endExclusive, before.getValue());
    }
    Map.Entry<Long, Long> next = intervals.ceilingEntry(start);
    while (next != null && next.getKey() <= endExclusive) {
      endExclusive = Math.max(endExclusive, next.getValue());
      intervals.remove(next.getKey());
      next = intervals.ceilingEntry(start);
    }
    intervals.put(start, endExclusive);
  }

  /** Adds a range. */
  public void add(ByteRange r) {
    add(r.first(), r.endExclusive());
  }

  /** Adds every interval of {@code other}. */
  public void addAll(RangeSet other) {
    other.intervals.forEach(this::add);
  }

  /** Removes {@code [start, endExclusive)} from the set. */
  public void remove(long start, long endExclusive) {
    if (start >= endExclusive) {
      return;
    }
    Map.Entry<Long, Long> before = intervals.lowerEntry(start);
    if (before != null && before.getValue() > start) {
      // An interval reaching into the cut keeps its head (and its tail beyond the cut).
      intervals.put(before.getKey(), start);
      if (before.getValue() > endExclusive) {
        intervals.put(endExclusive, before.getValue());
      }
    }
    Map.Entry<Long, Long> e = intervals.ceilingEntry(start);
    while (e != null && e.getKey() < endExclusive) {
      intervals.remove(e.getKey());
      if (e.getValue() > endExclusive) {
        intervals.put(endExclusive, e.getValue());
        break;
      }
      e = intervals.ceilingEntry(start);
    }
  }

  /** The bytes in both this set and {@code other}. */
  public RangeSet intersection(RangeSet other) {
    RangeSet out = copy();
    long pos = 0;
    for (ByteRange r : other.ranges()) {
      out.remove(pos, r.first());
      pos = r.endExclusive();
    }
    out.remove(pos, Long.MAX_VALUE);
    return out;
  }

  /** Whether every byte of {@code [start, endExclusive)} is in the set. */
  public boolean containsAll(long start, long endExclusive) {
    if (start >= endExclusive) {
      return true;
    }
    Map.Entry<Long, Long> e = intervals.floorEntry(start);
    return e != null && e.getValue() >= endExclusive;
  }

  /** Total bytes in the set. */
  public long size() {
    long total = 0;
    for (Map.Entry<Long, Long> e : intervals.entrySet()) {
      total += e.getValue() - e.getKey();
    }
    return total;
  }

  /** Whether the set is empty. */
  public boolean isEmpty() {
    return intervals.isEmpty();
  }

  /** The intervals, in order. */
  public List<ByteRange> ranges() {
    List<ByteRange> out = new ArrayList<>(intervals.size());
    intervals.forEach((s, e) -> out.add(ByteRange.ofHalfOpen(s, e)));
    return out;
  }

  /** The holes of {@code [0, length)} not in the set, in order. */
  public List<ByteRange> missing(long length) {
    List<ByteRange> out = new ArrayList<>();
    long pos = 0;
    for (Map.Entry<Long, Long> e : intervals.entrySet()) {
      if (e.getKey() >= length) {
        break;
      }
      if (e.getKey() > pos) {
        out.add(ByteRange.ofHalfOpen(pos, e.getKey()));
      }
      pos = Math.max(pos, e.getValue());
    }
    if (pos < length) {
      out.add(ByteRange.ofHalfOpen(pos, length));
    }
    return out;
  }

  /** A deep copy. */
  public RangeSet copy() {
    RangeSet c = new RangeSet();
    c.intervals.putAll(intervals);
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RangeSet r && r.intervals.equals(intervals);
  }

  @Override
  public int hashCode() {
    return intervals.hashCode();
  }

  @Override
  public String toString() {
    return ranges().toString();
  }
}
