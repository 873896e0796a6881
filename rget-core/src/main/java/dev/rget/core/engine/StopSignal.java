package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one reason a download (or one phase of it, see {@link #child()}) ends early, and the means
 * by which every wait of it wakes at once when that happens. Waits are timed waits on this signal
 * ({@link #pause}, {@link #sleep}); a blocking network call (connect, TLS handshake, response
 * head) runs inside {@link #network}, where a stop interrupts the calling thread, which the JDK
 * turns into closing the socket being waited on. Threads are interrupted only there: an interrupt
 * during a file operation would close the part file's channel for every connection.
 */
final class StopSignal {
  /** A blocking call that may be aborted by interrupting its thread. */
  interface NetworkCall<T> {
    T call() throws IOException, InterruptedException;
  }

  private final AtomicReference<Throwable> reason = new AtomicReference<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  /** Threads inside {@link #network}, and those this signal interrupted there. */
  private final Set<Thread> inNetwork = new HashSet<>();
  private final Set<Thread> interrupted = new HashSet<>();

  /**
   * Records the first reason to stop, wakes every wait and aborts every network call.
   *
   * @return whether {@code why} is the reason recorded (false: already stopped)
   */
  boolean stop(Throwable why) {
    if (!reason.compareAndSet(null, why)) {
      return false;
    }
    stopped.countDown();
    synchronized (this) {
      for (Thread t : inNetwork) {
        interrupted.add(t);
        t.interrupt();
      }
    }
    listeners.forEach(Runnable::run);
    return true;
  }

  /** Runs {@code listener} once this signal stops (at once if it already has). */
  void onStop(Runnable listener) {
    listeners.add(listener);
    if (stopped()) {
      // It may also have run from stop(); listeners are idempotent.
      listener.run();
    }
  }

  /** A signal that stops when this one does, and may also stop on its own (one phase). */
  StopSignal child() {
    StopSignal c = new StopSignal();
    onStop(() -> c.stop(reason.get()));
    return c;
  }

  boolean stopped() {
    return reason.get() != null;
  }

  /** The reason recorded, or {@code null} while running. */
  Throwable reason() {
    return reason.get();
  }

  /**
   * Waits {@code d} unless stopped first.
   *
   * @return true if the whole time passed, false if stopped
   */
  boolean pause(Duration d) {
    return pauseNanos(d.toNanos());
  }

  /** As {@link #pause}, in nanoseconds. */
  boolean pauseNanos(long nanos) {
    if (nanos <= 0) {
      return !stopped();
    }
    try {
      return !stopped.await(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits {@code d}; throws the stop reason if stopped first. */
  void sleep(Duration d) throws IOException {
    if (!pause(d)) {
      throw asException();
    }
  }

  /** Waits {@code nanos}; throws the stop reason if stopped first. */
  void sleepNanos(long nanos) throws IOException {
    if (!pauseNanos(nanos)) {
      throw asException();
    }
  }

  /** Throws the stop reason if stopped. */
  void check() throws IOException {
    if (stopped()) {
      throw asException();
    }
  }

  /** The stop reason as the exception to end with: the recorded one, or a cancellation. */
  IOException asException() {
    Throwable r = reason.get();
    if (r instanceof IOException io) {
      return io;
    }
    if (Thread.currentThread().isInterrupted()) {
      return new InterruptedIOException("interrupted");
    }
    return new DownloadException(FailureKind.CANCELLED, "cancelled");
  }

  /**
   * Runs a blocking network call so that a stop aborts it: the thread is interrupted, which
   * closes the socket it waits on. After the call the interrupt this signal caused is cleared, so
   * that it never reaches a later file operation.
   *
   * @throws IOException the call's failure, or the stop reason if stopped before or during it
   */
  <T> T network(NetworkCall<T> call) throws IOException {
    Thread me = Thread.currentThread();
    synchronized (this) {
      if (stopped()) {
        throw asException();
      }
      inNetwork.add(me);
    }
    try {
      return call.call();
    } catch (InterruptedException e) {
      throw stopped() ? asException() : new InterruptedIOException("interrupted");
    } catch (IOException e) {
      // A failure caused by the stop (a socket closed under the call) is reported as the stop.
      throw stopped() ? asException() : e;
    } finally {
      synchronized (this) {
        inNetwork.remove(me);
        if (interrupted.remove(me)) {
          Thread.interrupted();
        }
      }
    }
  }
}
