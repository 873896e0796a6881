package dev.rget.core.engine;

import dev.rget.core.range.ByteRange;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands out the byte ranges still to fetch, one {@link Segment} per connection. When no
 * unassigned range is left, an idle connection steals the second half of the largest range still
 * in flight (if it is at least twice the minimum split size), so no connection idles while work
 * remains and the slowest connection never holds up the end alone. A failed connection gives its
 * unfinished remainder back. All state changes under this object's lock.
 */
final class SegmentScheduler {
  private final ArrayDeque<long[]> pending = new ArrayDeque<>();
  private final List<Segment> active = new ArrayList<>();
  private final long minSplit;
  private boolean stopped;

  /**
   * @param missing the holes to fill
   * @param pieces how many pieces to cut them into up front (usually the connection count)
   * @param minSplit smallest piece, and half the smallest range worth stealing from
   */
  SegmentScheduler(List<ByteRange> missing, int pieces, long minSplit) {
    this.minSplit = minSplit;
    long total = 0;
    for (ByteRange r : missing) {
      total += r.length();
    }
    long target = Math.max(minSplit, (total + pieces - 1) / Math.max(1, pieces));
    for (ByteRange r : missing) {
      long pos = r.first();
      long end = r.endExclusive();
      while (pos < end) {
        long cut = end - pos <= target + target / 2 ? end : pos + target;
        pending.add(new long[] {pos, cut});
        pos = cut;
      }
    }
  }

  /**
   * The next segment for a connection, waiting while others may still give work back; {@code null}
   * when everything is fetched or the download stopped.
   */
  synchronized Segment acquire() throws InterruptedException {
    while (true) {
      if (stopped) {
        return null;
      }
      long[] next = pending.poll();
      if (next != null) {
        Segment s = new Segment(next[0], next[1]);
        active.add(s);
        return s;
      }
      Segment stolen = steal();
      if (stolen != null) {
        return stolen;
      }
      if (active.isEmpty()) {
        return null;
      }
      wait(250);
    }
  }

  private Segment steal() {
    Segment victim = null;
    for (Segment s : active) {
      if (victim == null || s.remaining() > victim.remaining()) {
        victim = s;
      }
    }
    if (victim == null || victim.remaining() < 2 * minSplit) {
      return null;
    }
    long mid = victim.reserved + victim.remaining() / 2;
    Segment s = new Segment(mid, victim.end);
    victim.end = mid;
    active.add(s);
    return s;
  }

  /**
   * How many of the {@code n} bytes at the segment's current position its owner may write now:
   * fewer when the tail was stolen, 0 when the segment is finished or the download stopped.
   */
  synchronized long claim(Segment s, long n) {
    if (stopped) {
      return 0;
    }
    long allowed = Math.max(0, Math.min(n, s.end - s.pos));
    s.reserved = s.pos + allowed;
    return allowed;
  }

  /** Records that the owner wrote {@code n} claimed bytes. */
  synchronized void advance(Segment s, long n) {
    s.pos += n;
    s.reserved = s.pos;
    s.writtenSinceStart += n;
  }

  /** The segment's current {@code [pos, end)}, read under the lock. */
  synchronized long[] bounds(Segment s) {
    return new long[] {s.pos, s.end};
  }

  /** The owner is done with the segment; an unfinished remainder goes back to the queue. */
  synchronized void release(Segment s) {
    if (!active.remove(s)) {
      return;
    }
    if (s.pos < s.end) {
      pending.addFirst(new long[] {s.pos, s.end});
    }
    notifyAll();
  }

  /** Stops handing out work; connections finish their current write and leave. */
  synchronized void stop() {
    stopped = true;
    notifyAll();
  }

  /** Whether nothing is left to fetch. */
  synchronized boolean isComplete() {
    return pending.isEmpty() && active.isEmpty();
  }

  /** Number of pieces queued up front (for sizing the connection pool). */
  synchronized int pendingCount() {
    return pending.size();
  }
}
