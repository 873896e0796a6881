package dev.rget.core;

/**
 * Why a download failed, in classes a user acts on differently. Each class has its own process
 * exit code, documented in the README; the CLI exits with {@link #exitCode()}.
 */
public enum FailureKind {
  /** Bad input from the caller: malformed URL, unsupported scheme, bad option value. */
  USAGE(2),
  /** Network: unknown host, connection refused, timeouts, resets, after the retries ran out. */
  NETWORK(3),
  /** The server answered with an error status (4xx, or 5xx after the retries ran out). */
  HTTP_STATUS(4),
  /** Local file system: disk full, no permission, output path is a directory. */
  LOCAL_IO(5),
  /** The finished file does not match the expected checksum; nothing was put at the output path. */
  CHECKSUM_MISMATCH(6),
  /** The remote file changed since the partial download began, and the caller asked to stop. */
  REMOTE_CHANGED(7),
  /** The server kept breaking HTTP rules (lying Content-Range, short bodies) after the retries. */
  PROTOCOL(8),
  /**
   * The file is larger than {@link DownloadOptions#maxFileSize()}: its announced length, or the
   * bytes sent for a file of unannounced length.
   */
  TOO_LARGE(9),
  /** The download was cancelled (by the caller, or by SIGINT/SIGTERM in the CLI). */
  CANCELLED(130),
  /** A bug in rget: anything not in the classes above. */
  INTERNAL(1);

  private final int exitCode;

  FailureKind(int exitCode) {
    this.exitCode = exitCode;
  }

  /** The CLI's process exit code for this class. */
  public int exitCode() {
    return exitCode;
  }
}
