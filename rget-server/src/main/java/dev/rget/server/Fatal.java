package dev.rget.server;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What happens when an {@link Error} (OutOfMemoryError, StackOverflowError, a linkage error...)
 * reaches any thread of the server: the server <b>stops</b>. It closes its listening socket and
 * every connection, {@link FileServer#awaitClose()} returns and {@link FileServer#failure()} names
 * the error; {@code rget serve} then prints one line and exits with status 1, so that a supervisor
 * (systemd, a container runtime, a shell loop) starts a fresh process.
 *
 * <p>Why not carry on: after an Error the state of whatever was running is unknown. The handler or
 * Netty code it interrupted may have left a connection half-updated, a listener never notified, a
 * file never closed; if it escaped an event loop, that thread is gone with every connection
 * registered on it. Carrying on is how a server ends up accepting connections and answering none.
 * With the connection cap sized to the heap an Error is not expected at all, so one means a bug or
 * a cap set too high for the heap, and a restart is the sound answer.
 *
 * <p>Errors are caught where they can surface: in the connection handler (its callbacks and the
 * tasks it schedules, {@link #guard}), on the file-system threads, in the access-log thread, and
 * as the termination of an event loop (which Netty reports with the Error that ended it).
 * Thread-safe.
 */
final class Fatal {
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final CountDownLatch reported = new CountDownLatch(1);

  /** Records the first fatal error and wakes whoever stops the server. */
  void report(Throwable t) {
    if (failure.compareAndSet(null, t)) {
      reported.countDown();
    }
  }

  /** Runs {@code task}; an Error it throws is reported (and not rethrown). */
  void guard(Runnable task) {
    try {
      task.run();
    } catch (Error e) {
      report(e);
    }
  }

  /** The first fatal error, or {@code null}. */
  Throwable failure() {
    return failure.get();
  }

  /** Blocks until an error is reported. */
  void await() throws InterruptedException {
    reported.await();
  }
}
