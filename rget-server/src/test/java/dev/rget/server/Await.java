package dev.rget.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling it (never a blind sleep): fails after {@code timeout}. */
final class Await {
  private Await() {}

  static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(5);
    }
  }
}
