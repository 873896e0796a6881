package dev.rget.core.engine;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one place that decides whether a failed attempt is tried again, after how long, and when
 * to give up. One instance counts one sequence of attempts (a probe, one connection, the single
 * stream): up to {@code retries} failures in a row are retried, and an attempt that got further
 * than any before starts the count again. Waits are taken on the download's {@link StopSignal},
 * so a cancel wakes them at once.
 */
final class RetryPolicy {
  private static final long BASE_MILLIS = 250;
  private static final long CAP_MILLIS = 30_000;

  private final int retries;
  private final StopSignal stop;
  private int failures;

  /**
   * @param retries how many failures in a row are retried (0: none)
   * @param stop the signal the waits listen to
   */
  RetryPolicy(int retries, StopSignal stop) {
    this.retries = retries;
    this.stop = stop;
  }

  /**
   * Counts a failure and says whether another attempt is allowed.
   *
   * @param progressed whether the failed attempt got further than any before (the count then
   *     starts again: a connection that keeps delivering is not given up)
   */
  boolean tryAgain(boolean progressed) {
    failures = progressed ? 1 : failures + 1;
    return failures <= retries;
  }

  /** Failures counted in a row so far. */
  int failures() {
    return failures;
  }

  /** An attempt succeeded: the next failure is the first again. */
  void succeeded() {
    failures = 0;
  }

  /**
   * Handles a failed attempt: waits the backoff (or the server's Retry-After) and returns, when
   * another attempt is allowed.
   *
   * @throws IOException the failure's give-up ({@link RetryableException#giveUp}) when attempts
   *     are exhausted, or the stop reason when the download stopped before or during the wait
   */
  void failed(RetryableException e, boolean progressed) throws IOException {
    stop.check();
    if (!tryAgain(progressed)) {
      throw e.giveUp(failures);
    }
    stop.sleep(delay(failures, e.retryAfter()));
  }

  /**
   * The wait before attempt number {@code failures + 1}: the server's Retry-After when given,
   * else a random time in [d/2, d] with d = 250 ms doubled per failure, capped at 30 s (the
   * jitter keeps the connections of a download from hitting a recovering server together).
   */
  static Duration delay(int failures, Duration retryAfter) {
    if (retryAfter != null) {
      return retryAfter;
    }
    long d = Math.min(CAP_MILLIS, BASE_MILLIS << Math.min(20, Math.max(0, failures - 1)));
    return Duration.ofMillis(d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1));
  }
}
