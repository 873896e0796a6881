package dev.rget.core.transport;

import java.io.IOException;

/**
 * The proxy, not the origin server, failed or refused: unreachable, a {@code 407}, a SOCKS
 * refusal. The message is one line naming the proxy (never its password).
 */
public final class ProxyException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, which decides whether another attempt can help. */
  public enum Reason {
    /** The proxy wants credentials, or refused the ones given: asking again will not help. */
    AUTHENTICATION,
    /** The proxy refuses this destination by its rules, or speaks another protocol. */
    REFUSED,
    /** The proxy or the path behind it failed now; a later attempt may succeed. */
    TRANSIENT
  }

  private final Reason reason;

  /** A failure for {@code reason} described by {@code message}. */
  public ProxyException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** A failure for {@code reason} described by {@code message}, caused by {@code cause}. */
  public ProxyException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Why the proxy failed. */
  public Reason reason() {
    return reason;
  }
}
