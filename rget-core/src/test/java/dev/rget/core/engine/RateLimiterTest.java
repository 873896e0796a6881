package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The limiter's bookings, on a clock the test moves: no waiting. */
class RateLimiterTest {
  private static final long MS = 1_000_000L;

  @Test
  void slicesAreBookedBackToBackAtTheRate() {
    long[] now = {0};
    RateLimiter limiter = new RateLimiter(100_000, () -> now[0]);
    assertThat(limiter.sliceBytes()).isEqualTo(5_000);

    assertThat(limiter.book(5_000)).isZero();
    assertThat(limiter.book(5_000)).isEqualTo(50 * MS);
    assertThat(limiter.book(5_000)).isEqualTo(100 * MS);
    now[0] = 60 * MS;
    assertThat(limiter.book(5_000)).as("the next free moment, seen from later").isEqualTo(90 * MS);
  }

  @Test
  void unusedTimeIsBankedForAQuarterSecondAtMost() {
    long[] now = {0};
    RateLimiter limiter = new RateLimiter(100_000, () -> now[0]);
    now[0] = 10_000 * MS;
    long banked = 0;
    int free = 0;
    // After ten idle seconds, only a quarter second's worth passes without a wait.
    while (limiter.book(5_000) <= 0) {
      free++;
      banked += 5_000;
    }
    assertThat(free).isEqualTo(6);
    assertThat(banked).isEqualTo(30_000);
  }

  @Test
  void noLimitNeverWaits() throws Exception {
    StopSignal stopped = new StopSignal();
    stopped.stop(new java.io.IOException("stopped"));
    RateLimiter unlimited = new RateLimiter(0, () -> 0);
    assertThat(unlimited.sliceBytes()).isEqualTo(Integer.MAX_VALUE);
    // Returns without waiting at all, so it never even looks at the stopped signal.
    unlimited.acquire(1L << 40, stopped);
    RateLimiter limited = new RateLimiter(1_000, () -> 0);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> limited.acquire(1L << 20, stopped))
        .hasMessage("stopped");
  }
}
