package dev.rget.core.engine;

/**
 * How many connections a parallel fetch runs: it starts with {@link #START} and doubles while the
 * aggregate rate grows by at least {@link #GROWTH} per step, stopping at the first step that does
 * not pay (or at the maximum). One or two connections saturate a fast link, where more only cost
 * CPU (TLS above all) and requests; a server that caps each connection's rate needs many. Driven
 * by a clock passed to {@link #tick}, so its decisions are tested without waiting.
 */
final class ConnectionRamp {
  /** Connections to start with. */
  static final int START = 2;
  /** Length of one measurement. */
  static final long WINDOW_NANOS = 250_000_000L;
  /** Time for added connections to connect and get going before their rate is measured. */
  static final long SETTLE_NANOS = 100_000_000L;
  /** Growth of the aggregate rate that makes another doubling worth it. */
  static final double GROWTH = 1.3;

  private final int max;
  private int running;
  private boolean settled;
  /** Start of the current measurement, or -1 while waiting for bytes or for new connections. */
  private long windowStart = -1;
  private long windowStartBytes;
  private long notBefore;
  private double lastRate;

  /** @param max the most connections (the user's -n, bounded by the number of pieces) */
  ConnectionRamp(int max) {
    this.max = Math.max(1, max);
    this.running = Math.min(this.max, START);
    this.settled = running >= this.max;
  }

  /** A ramp that starts all {@code n} connections at once and never adds any. */
  static ConnectionRamp fixed(int n) {
    ConnectionRamp r = new ConnectionRamp(n);
    r.running = r.max;
    r.settled = true;
    return r;
  }

  /** Connections to start with. */
  int initial() {
    return running;
  }

  /**
   * Looks at the bytes fetched so far at time {@code now} and returns how many connections to
   * add now (0 for none).
   */
  int tick(long now, long bytes) {
    if (settled) {
      return 0;
    }
    if (windowStart < 0) {
      // Measure only once bytes flow (after connecting and the first response) and the last
      // connections added have settled.
      if (bytes > 0 && now >= notBefore) {
        windowStart = now;
        windowStartBytes = bytes;
      }
      return 0;
    }
    if (now - windowStart < WINDOW_NANOS) {
      return 0;
    }
    double rate = (bytes - windowStartBytes) * 1e9 / (now - windowStart);
    if (lastRate > 0 && rate < lastRate * GROWTH) {
      settled = true;
      return 0;
    }
    lastRate = rate;
    int add = Math.min(max - running, running);
    running += add;
    settled = running >= max;
    windowStart = -1;
    notBefore = now + SETTLE_NANOS;
    return add;
  }

  /** Whether the count is final. */
  boolean settled() {
    return settled;
  }
}
