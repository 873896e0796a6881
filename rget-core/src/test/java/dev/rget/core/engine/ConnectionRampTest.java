package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The ramp's decisions, driven by a clock of our own: no waiting, no real transfer. */
class ConnectionRampTest {
  private static final long MS = 1_000_000L;
  private static final long MIB = 1 << 20;

  /** Feeds the ramp a steady aggregate rate per connection count; returns the final count. */
  private static int settleAt(int max, java.util.function.IntToLongFunction bytesPerSecond) {
    ConnectionRamp ramp = new ConnectionRamp(max);
    int running = ramp.initial();
    long now = 0;
    long bytes = 0;
    for (int step = 0; step < 1000 && !ramp.settled(); step++) {
      now += 10 * MS;
      bytes += bytesPerSecond.applyAsLong(running) / 100;
      running += ramp.tick(now, bytes);
    }
    assertThat(ramp.settled()).as("settled").isTrue();
    return running;
  }

  @Test
  void linkSaturatedByTwoConnectionsStopsAfterTheDoublingThatDidNotPay() {
    // Loopback: two connections give all there is; four give the same, and it stops there.
    assertThat(settleAt(16, n -> 1500 * MIB)).isEqualTo(4);
  }

  @Test
  void serverCappingEachConnectionGetsAllSixteen() {
    assertThat(settleAt(16, n -> n * 10 * MIB)).isEqualTo(16);
  }

  @Test
  void growthThatFlattensStopsAtTheFirstStepThatDoesNotPay() {
    // Five connections' worth of capacity: 2 -> 4 pays (x2), 4 -> 8 gives only x1.25.
    assertThat(settleAt(16, n -> Math.min(n, 5) * 10 * MIB)).isEqualTo(8);
  }

  @Test
  void maximumBelowTheStartIsTheCount() {
    ConnectionRamp ramp = new ConnectionRamp(1);
    assertThat(ramp.initial()).isEqualTo(1);
    assertThat(ramp.settled()).isTrue();
    assertThat(ramp.tick(1_000 * MS, 1)).isZero();
  }

  @Test
  void nothingIsMeasuredBeforeBytesFlow() {
    ConnectionRamp ramp = new ConnectionRamp(16);
    for (long t = 0; t < 5_000 * MS; t += 10 * MS) {
      assertThat(ramp.tick(t, 0)).isZero();
    }
    assertThat(ramp.settled()).isFalse();
    // The first measurement starts with the first bytes and lasts a window.
    assertThat(ramp.tick(5_000 * MS, 1)).isZero();
    assertThat(ramp.tick(5_000 * MS + ConnectionRamp.WINDOW_NANOS, 10 * MIB)).isEqualTo(2);
  }
}
