package dev.rget.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap shared by all connections for one kind of reply held in memory (directory pages): a reply is
 * built only if its bytes can be reserved, and gives them back once sent or dropped. Thread-safe.
 */
final class MemoryBudget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  MemoryBudget(long limit) {
    this.limit = limit;
  }

  /** Reserves {@code bytes} if that stays within the limit. */
  boolean tryReserve(long bytes) {
    while (true) {
      long u = used.get();
      if (u + bytes > limit) {
        return false;
      }
      if (used.compareAndSet(u, u + bytes)) {
        return true;
      }
    }
  }

  /** Gives back {@code bytes} reserved earlier. */
  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Bytes reserved now. */
  long used() {
    return used.get();
  }
}
