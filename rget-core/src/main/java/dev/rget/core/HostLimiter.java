package dev.rget.core;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Caps the number of connections open to one host across all downloads that share this limiter
 * (for example the downloads of one URL list), so a list does not flood a server. A connection
 * counts against the host it actually connects to: after a redirect, the target's, not the
 * URL's.
 */
public final class HostLimiter {
  private final int perHost;
  private final ConcurrentHashMap<String, Semaphore> hosts = new ConcurrentHashMap<>();

  /** At most {@code perHost} connections to any one host. */
  public HostLimiter(int perHost) {
    if (perHost < 1) {
      throw new IllegalArgumentException("per-host connection cap must be at least 1");
    }
    this.perHost = perHost;
  }

  /** Waits for a connection slot to {@code host}. */
  public void acquire(String host) throws InterruptedException {
    semaphore(host).acquire();
  }

  /** Waits up to {@code timeout} for a slot to {@code host}; false if none came free. */
  public boolean tryAcquire(String host, java.time.Duration timeout) throws InterruptedException {
    return semaphore(host).tryAcquire(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** Returns a slot taken with {@link #acquire} or {@link #tryAcquire}. */
  public void release(String host) {
    semaphore(host).release();
  }

  private Semaphore semaphore(String host) {
    return hosts.computeIfAbsent(host.toLowerCase(Locale.ROOT), h -> new Semaphore(perHost, true));
  }
}
