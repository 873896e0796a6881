package dev.rget.core.engine;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Paces the whole download to a byte rate shared by all its connections: a chunk is paid for in
 * small slices (a twentieth of a second's worth each), each booking the next free moment on a
 * virtual clock and waiting for it on the download's stop signal. Small slices keep the
 * connections interleaved and the rate even, and a stop wakes a paced connection at once
 * instead of after a whole chunk's worth of time (minutes at 10 KiB/s).
 */
final class RateLimiter {
  /** Unused time in the past is not banked beyond this, to bound bursts. */
  private static final long MAX_CREDIT_NANOS = 250_000_000L;
  private final long bytesPerSecond;
  private final long slice;
  private final LongSupplier clock;
  private long nextFreeNanos;

  /**
   * @param bytesPerSecond the cap; {@code <= 0} means no limit
   * @param clock the time in nanoseconds
   */
  RateLimiter(long bytesPerSecond, LongSupplier clock) {
    this.bytesPerSecond = bytesPerSecond;
    this.slice = Math.max(256, bytesPerSecond / 20);
    this.clock = clock;
    this.nextFreeNanos = clock.getAsLong();
  }

  /** The most bytes to pay for at once: a twentieth of a second's worth, or any when unlimited. */
  int sliceBytes() {
    return bytesPerSecond <= 0 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, slice);
  }

  /** Waits until {@code bytes} more may pass; throws the stop reason if stopped meanwhile. */
  void acquire(long bytes, StopSignal stop) throws IOException {
    if (bytesPerSecond <= 0) {
      return;
    }
    long left = bytes;
    while (left > 0) {
      long n = Math.min(left, slice);
      stop.sleepNanos(book(n));
      left -= n;
    }
  }

  /** Books {@code n} bytes at the next free moment; returns how long to wait for it. */
  synchronized long book(long n) {
    long now = clock.getAsLong();
    long start = Math.max(nextFreeNanos, now - MAX_CREDIT_NANOS);
    nextFreeNanos = start + n * 1_000_000_000L / bytesPerSecond;
    return start - now;
  }
}
