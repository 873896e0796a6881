package dev.rget.core.engine;

import java.io.InterruptedIOException;

/**
 * Paces the whole download to a byte rate shared by all its connections: each chunk books the
 * next free slot on a virtual clock and waits for it, so the rate holds across connections
 * without bursts above one chunk per connection.
 */
final class RateLimiter {
  private final long bytesPerSecond;
  private long nextFreeNanos = System.nanoTime();

  /** {@code bytesPerSecond <= 0} means no limit. */
  RateLimiter(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
  }

  void acquire(long bytes) throws InterruptedIOException {
    if (bytesPerSecond <= 0) {
      return;
    }
    long waitNanos;
    synchronized (this) {
      long now = System.nanoTime();
      // Unused time in the past is not banked beyond a quarter second, to bound bursts.
      long start = Math.max(nextFreeNanos, now - 250_000_000L);
      nextFreeNanos = start + bytes * 1_000_000_000L / bytesPerSecond;
      waitNanos = start - now;
    }
    if (waitNanos > 0) {
      try {
        Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      }
    }
  }
}
