package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import java.io.IOException;
import java.time.Duration;

/**
 * A failure that a later attempt may not see: a reset, a stall, a 503. Carries the class to
 * report if retries run out, and the server's Retry-After if it gave one.
 */
final class RetryableException extends IOException {
  private static final long serialVersionUID = 1L;

  private final FailureKind kind;
  private final transient Duration retryAfter;
  private final boolean throttled;
  private final boolean wrongRange;

  RetryableException(FailureKind kind, String message, Duration retryAfter, boolean throttled,
      Throwable cause) {
    this(kind, message, retryAfter, throttled, false, cause);
  }

  private RetryableException(FailureKind kind, String message, Duration retryAfter,
      boolean throttled, boolean wrongRange, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.retryAfter = retryAfter;
    this.throttled = throttled;
    this.wrongRange = wrongRange;
  }

  /** A 206 whose Content-Range names other bytes than those asked for. */
  static RetryableException wrongRange(String message) {
    return new RetryableException(FailureKind.PROTOCOL, message, null, false, true, null);
  }

  /** Whether this is a 206 that named other bytes than those asked for. */
  boolean wrongRange() {
    return wrongRange;
  }

  static RetryableException network(String message, Throwable cause) {
    return new RetryableException(FailureKind.NETWORK, message, null, false, cause);
  }

  static RetryableException protocol(String message) {
    return new RetryableException(FailureKind.PROTOCOL, message, null, false, null);
  }

  /** The failure to report once {@code attempts} attempts in a row have failed. */
  DownloadException giveUp(int attempts) {
    return new DownloadException(kind, getMessage() + " (gave up after " + attempts
        + (attempts == 1 ? " attempt)" : " attempts)"), this);
  }

  /** The class to report once retries are exhausted. */
  FailureKind kind() {
    return kind;
  }

  /** The server's requested wait, or {@code null}. */
  Duration retryAfter() {
    return retryAfter;
  }

  /** The server said it is overloaded (429 or 503): fewer connections may help. */
  boolean throttled() {
    return throttled;
  }
}
