package dev.rget.core.transport;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * Lets another thread end a connection's set-up at once: the TCP connect, a proxy's
 * {@code CONNECT} or SOCKS5 exchange, the TLS handshake. Until the connection is handed out
 * there is no connection object a canceller could close, and the set-up would otherwise run until
 * its connect timeout. So the dialer registers here whatever is being set up, and
 * {@link #abort()} closes it: closing the channel ends a blocking connect, closing the socket
 * (with its selector) wakes a proxy exchange or TLS handshake waiting on it. Aborting is for
 * good: a set-up that starts later is closed at once. Thread-safe.
 */
public final class ConnectAbort {
  /** Closes what is being set up now; never throws. */
  @FunctionalInterface
  interface Closer {
    void close();
  }

  private boolean aborted;
  private Closer current;

  /** Ends the set-up in progress, if any, and every later one; safe to call more than once. */
  public void abort() {
    Closer c;
    synchronized (this) {
      aborted = true;
      c = current;
      current = null;
    }
    if (c != null) {
      c.close();
    }
  }

  /** Whether {@link #abort()} was called. */
  public synchronized boolean aborted() {
    return aborted;
  }

  /**
   * From now on {@link #abort()} runs {@code closer} (instead of the one watched before). Once
   * aborted, runs it at once and throws.
   *
   * @throws InterruptedIOException if aborted
   */
  void watch(Closer closer) throws InterruptedIOException {
    synchronized (this) {
      if (!aborted) {
        current = closer;
        return;
      }
    }
    closer.close();
    throw cancelled(null);
  }

  /** The set-up is over (done or failed): a later {@link #abort()} closes nothing of it. */
  synchronized void release() {
    current = null;
  }

  /**
   * The failure to report for a set-up that ended with {@code cause}: the cancel when aborted
   * (the cause then only says how the closed socket was noticed), else {@code cause} itself.
   */
  IOException explain(IOException cause) {
    return aborted() ? cancelled(cause) : cause;
  }

  private static InterruptedIOException cancelled(Throwable cause) {
    InterruptedIOException e = new InterruptedIOException("connection set-up cancelled");
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }
}
