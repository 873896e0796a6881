package dev.rget.core.engine;

import dev.rget.core.HostLimiter;
import java.time.Duration;

/**
 * One connection's slot in a per-host cap shared by several downloads ({@link HostLimiter}),
 * counted against the host the connection actually goes to. {@link RequestSender} moves it
 * before every hop, so a redirect to another host takes a slot there before connecting and frees
 * the first host's. Used by one thread at a time: the one running the connection.
 */
final class HostSlot {
  private final HostLimiter hosts;
  /** The host whose slot is held, or {@code null}. */
  private volatile String held;

  HostSlot(HostLimiter hosts) {
    this.hosts = hosts;
  }

  /** Counts this slot against {@code host}, waiting for one there unless it is held already. */
  void moveTo(String host) throws InterruptedException {
    if (host.equalsIgnoreCase(held)) {
      return;
    }
    // Released before waiting: holding one host's slot while waiting for another's could
    // deadlock two downloads redirected across each other.
    release();
    hosts.acquire(host);
    held = host;
  }

  /**
   * As {@link #moveTo}, waiting at most {@code timeout}.
   *
   * @return whether the slot is now counted against {@code host}
   */
  boolean tryMoveTo(String host, Duration timeout) throws InterruptedException {
    if (host.equalsIgnoreCase(held)) {
      return true;
    }
    release();
    if (!hosts.tryAcquire(host, timeout)) {
      return false;
    }
    held = host;
    return true;
  }

  /** Gives the slot back, if one is held. */
  void release() {
    String h = held;
    if (h != null) {
      held = null;
      hosts.release(h);
    }
  }
}
