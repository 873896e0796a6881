package dev.rget.core;

import java.time.Duration;

/**
 * A snapshot of a download's progress.
 *
 * @param totalBytes length of the file, or -1 while unknown
 * @param doneBytes bytes of the file written so far (including bytes resumed from earlier runs)
 * @param bytesPerSecond recent transfer rate
 * @param activeConnections connections currently receiving a body
 * @param elapsed time since this download started
 * @param fileName the output file's name, once known
 */
public record Progress(long totalBytes, long doneBytes, long bytesPerSecond,
    int activeConnections, Duration elapsed, String fileName) {

  /** Fraction done in [0, 1], or -1 when the total is unknown. */
  public double fraction() {
    if (totalBytes < 0) {
      return -1;
    }
    return totalBytes == 0 ? 1 : (double) doneBytes / totalBytes;
  }

  /** Estimated time to completion at the current rate, or {@code null} when unknown. */
  public Duration eta() {
    if (totalBytes < 0 || bytesPerSecond <= 0) {
      return null;
    }
    return Duration.ofSeconds((totalBytes - doneBytes) / bytesPerSecond);
  }
}
