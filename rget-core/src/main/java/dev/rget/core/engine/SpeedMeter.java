package dev.rget.core.engine;

/** A transfer rate over the last few seconds, from samples of a growing byte count. */
final class SpeedMeter {
  private static final int SLOTS = 32;
  private static final long WINDOW_NANOS = 3_000_000_000L;
  private final long[] times = new long[SLOTS];
  private final long[] bytes = new long[SLOTS];
  private int next;
  private int count;

  synchronized void sample(long nowNanos, long totalBytes) {
    times[next] = nowNanos;
    bytes[next] = totalBytes;
    next = (next + 1) % SLOTS;
    count = Math.min(SLOTS, count + 1);
  }

  /** Bytes per second over the newest samples spanning up to three seconds; 0 if too few. */
  synchronized long bytesPerSecond() {
    if (count < 2) {
      return 0;
    }
    int newest = (next - 1 + SLOTS) % SLOTS;
    int oldest = newest;
    for (int i = 1; i < count; i++) {
      int k = (newest - i + SLOTS) % SLOTS;
      if (times[newest] - times[k] > WINDOW_NANOS) {
        break;
      }
      oldest = k;
    }
    long dt = times[newest] - times[oldest];
    return dt <= 0 ? 0 : (bytes[newest] - bytes[oldest]) * 1_000_000_000L / dt;
  }
}
