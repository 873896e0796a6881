package dev.rget.core.engine;

import dev.rget.core.range.ByteRange;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Hands out the byte ranges still to fetch, one {@link Segment} per connection, so that no
 * connection idles while work remains and no slow connection holds up the end alone. When no
 * unassigned range is left, an idle connection steals from a range in flight:
 * <ul>
 *   <li>from a connection much slower than itself (a quarter of its rate or less, measured over
 *       at least a quarter second) that still needs more than a quarter second: the part of its remainder that
 *       the two would finish at the same time, split in proportion to their rates, however small
 *       the remainder (the slow one may keep almost nothing);
 *   <li>else the largest remainder, if at least twice the minimum split size, split in proportion
 *       to the two rates where both are known (else in halves), neither piece below the minimum,
 *       unless its owner will finish it within a quarter second anyway;
 *       but never by a connection so slow that it would finish its piece after the owner would
 *       have finished the whole remainder.
 * </ul>
 * Before both, a connection that has delivered nothing at all for {@link #SILENT_NANOS} loses its
 * whole remainder to an idle one, whatever the rates (a rate needs bytes to exist), and its
 * response is closed so it stops waiting for the stall timeout.
 * A failed connection gives its unfinished remainder back. All state changes under this object's
 * lock; the claim/advance protocol ({@link #claim}, {@link #advance}) makes a steal take effect
 * at the owner's next claim, so every byte has exactly one writer.
 */
final class SegmentScheduler {
  /** A segment's rate is trusted once it has run this long (a quarter second is enough to tell
   * a connection that is several times slower than another). */
  private static final long MIN_AGE_NANOS = 250_000_000L;
  /** How many times slower than the idle connection a segment's owner must be to lose its tail. */
  private static final double SLOW_FACTOR = 4;
  /** A tail is taken over only if its owner would need longer than this to finish it. */
  private static final double MIN_TAIL_SECONDS = 0.25;
  /** A segment must have carried this much before its rate says anything. */
  private static final long MIN_MEASURED_BYTES = 64 * 1024;
  /** A segment that has carried no byte for this long is taken over by an idle connection. */
  static final long SILENT_NANOS = 1_000_000_000L;

  private final ArrayDeque<long[]> pending = new ArrayDeque<>();
  private final List<Segment> active = new ArrayList<>();
  private final long minSplit;
  private final LongSupplier clock;
  /** Rate of recently finished segments, bytes/s (0 until one is known), for newcomers. */
  private double recentRate;
  private boolean stopped;

  /**
   * @param missing the holes to fill
   * @param pieces how many pieces to cut them into up front (usually the connection count)
   * @param minSplit smallest piece, and half the smallest range worth stealing from
   * @param clock the time in nanoseconds ({@code System::nanoTime}, or a test's clock)
   */
  SegmentScheduler(List<ByteRange> missing, int pieces, long minSplit, LongSupplier clock) {
    this.minSplit = minSplit;
    this.clock = clock;
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
   * Registers a segment that a connection already has an open response for (the probe's first
   * piece); {@code [start, end)} must not be among the ranges given to the constructor.
   */
  synchronized Segment adopt(long start, long end) {
    Segment s = new Segment(start, end, clock.getAsLong());
    active.add(s);
    return s;
  }

  /**
   * The next segment for a connection, waiting while others may still give work back; {@code null}
   * when everything is fetched or the download stopped.
   *
   * @param ownRate the asking connection's rate on its previous segment in bytes/s, or 0 if it
   *     has none yet (the rate of recently finished segments stands in)
   */
  synchronized Segment acquire(double ownRate) throws InterruptedException {
    while (true) {
      Segment s = tryAcquire(ownRate);
      if (s != null || stopped || active.isEmpty()) {
        return s;
      }
      // Rates change with time, so a steal that is not worth it now may be soon.
      wait(250);
    }
  }

  /**
   * The decision {@link #acquire} takes at one moment (the clock's now): the next pending
   * range, or a part of one in flight, or {@code null} when nothing is worth taking now.
   */
  synchronized Segment tryAcquire(double ownRate) {
    if (stopped) {
      return null;
    }
    long now = clock.getAsLong();
    long[] next = pending.poll();
    if (next != null) {
      Segment s = new Segment(next[0], next[1], now);
      active.add(s);
      return s;
    }
    double thiefRate = ownRate > 0 ? ownRate : recentRate;
    Segment stolen = takeOverSilent(now);
    if (stolen == null) {
      stolen = takeOverSlowTail(thiefRate, now);
    }
    if (stolen == null) {
      stolen = splitLargest(thiefRate, now);
    }
    return stolen;
  }

  /** All of the remainder of the longest-silent segment, if one has been silent long enough. */
  private Segment takeOverSilent(long now) {
    Segment victim = null;
    for (Segment s : active) {
      if (s.writtenSinceStart == 0 && s.remaining() > 0 && now - s.startedNanos >= SILENT_NANOS
          && (victim == null || s.startedNanos < victim.startedNanos)) {
        victim = s;
      }
    }
    if (victim == null) {
      return null;
    }
    return cut(victim, victim.reserved);
  }

  /** Whether {@code s} has nothing left for its owner (its tail was all taken, or it is done). */
  synchronized boolean takenOver(Segment s) {
    return s.pos >= s.end;
  }

  private Segment takeOverSlowTail(double thiefRate, long now) {
    if (thiefRate <= 0) {
      return null;
    }
    Segment victim = null;
    double victimRate = 0;
    double longest = MIN_TAIL_SECONDS;
    for (Segment s : active) {
      long remaining = s.remaining();
      if (remaining <= 0 || now - s.startedNanos < MIN_AGE_NANOS) {
        continue;
      }
      double rate = rate(s, now);
      if (rate * SLOW_FACTOR > thiefRate) {
        continue;
      }
      double seconds = rate > 0 ? remaining / rate : Double.POSITIVE_INFINITY;
      if (seconds > longest) {
        victim = s;
        victimRate = rate;
        longest = seconds;
      }
    }
    if (victim == null) {
      return null;
    }
    long keep = (long) Math.ceil(victim.remaining() * victimRate / (victimRate + thiefRate));
    return cut(victim, victim.reserved + keep);
  }

  private Segment splitLargest(double thiefRate, long now) {
    Segment victim = null;
    for (Segment s : active) {
      if (victim == null || s.remaining() > victim.remaining()) {
        victim = s;
      }
    }
    if (victim == null || victim.remaining() < 2 * minSplit) {
      return null;
    }
    long remaining = victim.remaining();
    double share = 0.5;
    double victimRate = 0;
    if (thiefRate > 0 && now - victim.startedNanos >= MIN_AGE_NANOS) {
      victimRate = rate(victim, now);
      share = thiefRate / (thiefRate + victimRate);
    }
    long take = Math.max(minSplit, Math.min(remaining - minSplit, (long) (remaining * share)));
    if (victimRate > 0 && remaining / victimRate < MIN_TAIL_SECONDS) {
      // The owner finishes within a quarter second anyway. Cutting its request short would
      // gain little and throw away what the server already pushed into the socket beyond the
      // cut (megabytes on a fast link).
      return null;
    }
    if (victimRate > 0 && take / thiefRate >= remaining / victimRate) {
      // A slow connection would finish even the smallest piece after the owner finished all
      // of it: taking work would only make the end wait for the slow one.
      return null;
    }
    return cut(victim, victim.end - take);
  }

  /**
   * Moves the victim's end back to {@code at} and makes {@code [at, old end)} a new segment. A
   * victim left with nothing has its response closed: its owner would otherwise wait on it for
   * bytes nobody needs, up to the stall timeout when the server sends none.
   */
  private Segment cut(Segment victim, long at) {
    if (at >= victim.end) {
      return null;
    }
    Segment s = new Segment(at, victim.end, clock.getAsLong());
    victim.end = at;
    active.add(s);
    if (victim.pos >= victim.end) {
      victim.abandon();
    }
    return s;
  }

  private static double rate(Segment s, long now) {
    long age = Math.max(1, now - s.startedNanos);
    return s.writtenSinceStart * 1e9 / age;
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

  /**
   * The owner is done with the segment; an unfinished remainder goes back to the queue.
   *
   * @return the rate the owner achieved on it in bytes/s, or 0 if it carried too little to tell
   */
  synchronized double release(Segment s) {
    if (!active.remove(s)) {
      return 0;
    }
    if (s.pos < s.end) {
      pending.addFirst(new long[] {s.pos, s.end});
    }
    notifyAll();
    if (s.writtenSinceStart < MIN_MEASURED_BYTES) {
      return 0;
    }
    double rate = rate(s, clock.getAsLong());
    recentRate = recentRate == 0 ? rate : 0.7 * recentRate + 0.3 * rate;
    return rate;
  }

  /** Stops handing out work; connections finish their current write and leave. */
  synchronized void stop() {
    stopped = true;
    notifyAll();
  }

  /** The unwritten parts of the segments connections hold now, sorted (read-only view for progress displays). */
  synchronized List<ByteRange> inFlight() {
    List<ByteRange> out = new ArrayList<>(active.size());
    for (Segment s : active) {
      if (s.pos < s.end) {
        out.add(ByteRange.ofHalfOpen(s.pos, s.end));
      }
    }
    out.sort(null);
    return out;
  }

  /** Whether nothing is left to fetch. */
  synchronized boolean isComplete() {
    return pending.isEmpty() && active.isEmpty();
  }

}
