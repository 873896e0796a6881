package dev.rget.core;

import java.io.IOException;

/**
 * A download failed for a reason a user can act on. The message is one line that names the cause
 * (for example {@code HTTP 404 Not Found from https://host/x}); {@link #kind()} classifies it.
 */
public class DownloadException extends IOException {
  private static final long serialVersionUID = 1L;

  private final FailureKind kind;

  /** A failure of the given class. */
  public DownloadException(FailureKind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** A failure of the given class caused by {@code cause}. */
  public DownloadException(FailureKind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** The failure class, which decides the CLI exit code. */
  public FailureKind kind() {
    return kind;
  }
}
