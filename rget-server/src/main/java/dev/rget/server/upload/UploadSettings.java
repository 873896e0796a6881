package dev.rget.server.upload;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the upload endpoint ({@code rget serve --uploads UPDIR}).
 *
 * @param dir where completed uploads are moved; partial ones live in its hidden directory
 *     {@value UploadStore#HIDDEN_DIR}
 * @param maxSize largest {@code Upload-Length} accepted, in bytes ({@code 413} beyond)
 * @param token bearer token every request but {@code OPTIONS} must carry, or {@code null} for none
 * @param expiry how long an unfinished upload is kept after its last write
 */
public record UploadSettings(Path dir, long maxSize, String token, Duration expiry) {
  /** Default {@link #maxSize()}: 4 GiB. */
  public static final long DEFAULT_MAX_SIZE = 4L << 30;
  /** Default {@link #expiry()}: a day. */
  public static final Duration DEFAULT_EXPIRY = Duration.ofHours(24);

  /** Checks the values. */
  public UploadSettings {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(expiry, "expiry");
    if (maxSize <= 0) {
      throw new IllegalArgumentException("maxSize must be positive");
    }
  }

  @Override
  public String toString() {
    // never print the token
    return "UploadSettings[dir=" + dir + ", maxSize=" + maxSize + ", token=" + (token == null ? "none" : "***")
        + ", expiry=" + expiry + "]";
  }
}
