package dev.rget.core;

import java.io.IOException;

/**
 * A download failed for a reason a user can act on. The message is one line that names the cause
 * (for example {@code HTTP 404 Not Found from https://host/x}); {@link #kind()} classifies it.
 * The message is made safe by {@link SafeText}: whatever server text it quotes, it holds no
 * terminal controls and no URL password.
 */
public class DownloadException extends IOException {
  private static final long serialVersionUID = 1L;

  private final FailureKind kind;

  /** A failure of the given class. */
  public DownloadException(FailureKind kind, String message) {
    super(SafeText.of(message));
    this.kind = kind;
  }

  /** A failure of the given class caused by {@code cause}. */
  public DownloadException(FailureKind kind, String message, Throwable cause) {
    super(SafeText.of(message), cause);
    this.kind = kind;
  }

  /** The failure class, which decides the CLI exit code. */
  public FailureKind kind() {
    return kind;
  }
}
