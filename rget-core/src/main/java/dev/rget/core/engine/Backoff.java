package dev.rget.core.engine;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Waits between attempts: exponential with jitter, or what the server's Retry-After asked. */
final class Backoff {
  private static final long BASE_MILLIS = 250;
  private static final long CAP_MILLIS = 30_000;

  private Backoff() {}

  /**
   * The wait before attempt number {@code failures + 1}: the server's Retry-After when given,
   * else a random time in [d/2, d] with d = 250 ms doubled per failure, capped at 30 s.
   */
  static Duration delay(int failures, Duration retryAfter) {
    if (retryAfter != null) {
      return retryAfter;
    }
    long d = Math.min(CAP_MILLIS, BASE_MILLIS << Math.min(20, Math.max(0, failures - 1)));
    return Duration.ofMillis(d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1));
  }
}
