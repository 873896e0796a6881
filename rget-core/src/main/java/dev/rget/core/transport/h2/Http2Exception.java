package dev.rget.core.transport.h2;

import java.io.IOException;

/**
 * A breach of HTTP/2 or HPACK by the peer, with the error code to send back and whether it
 * ends the whole connection (a connection error, RFC 9113 5.4.1) or only one stream (5.4.2).
 */
public final class Http2Exception extends IOException {
  private static final long serialVersionUID = 1L;

  private final Http2ErrorCode code;
  private final boolean connectionError;

  private Http2Exception(Http2ErrorCode code, boolean connectionError, String message) {
    super(message);
    this.code = code;
    this.connectionError = connectionError;
  }

  /** An error that ends the connection: every open stream fails with it. */
  public static Http2Exception connection(Http2ErrorCode code, String message) {
    return new Http2Exception(code, true, "HTTP/2 " + code + ": " + message);
  }

  /** An error that ends one stream only. */
  public static Http2Exception stream(Http2ErrorCode code, String message) {
    return new Http2Exception(code, false, "HTTP/2 " + code + ": " + message);
  }

  /** The code to send in RST_STREAM or GOAWAY. */
  public Http2ErrorCode code() {
    return code;
  }

  /** Whether the connection, not just a stream, must end. */
  public boolean isConnectionError() {
    return connectionError;
  }
}
