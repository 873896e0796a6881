package dev.rget.core.transport.h2;

/** The error codes of RFC 9113 section 7, for RST_STREAM and GOAWAY frames. */
public enum Http2ErrorCode {
  /** Graceful shutdown. */
  NO_ERROR(0x0),
  /** The peer broke the protocol. */
  PROTOCOL_ERROR(0x1),
  /** An unexpected internal error. */
  INTERNAL_ERROR(0x2),
  /** The peer broke flow control. */
  FLOW_CONTROL_ERROR(0x3),
  /** SETTINGS were not acknowledged in time. */
  SETTINGS_TIMEOUT(0x4),
  /** A frame arrived for a half-closed stream. */
  STREAM_CLOSED(0x5),
  /** A frame had an invalid size. */
  FRAME_SIZE_ERROR(0x6),
  /** The stream was refused before any processing: safe to retry. */
  REFUSED_STREAM(0x7),
  /** The stream is no longer needed. */
  CANCEL(0x8),
  /** The HPACK state cannot be kept in step. */
  COMPRESSION_ERROR(0x9),
  /** A CONNECT tunnel failed. */
  CONNECT_ERROR(0xa),
  /** The peer is generating too much load. */
  ENHANCE_YOUR_CALM(0xb),
  /** TLS requirements not met. */
  INADEQUATE_SECURITY(0xc),
  /** Use HTTP/1.1 for this request. */
  HTTP_1_1_REQUIRED(0xd);

  private final int code;

  Http2ErrorCode(int code) {
    this.code = code;
  }

  /** The code's number on the wire. */
  public int code() {
    return code;
  }

  /** The name of a code received on the wire; unknown codes as {@code 0x..} (RFC 9113 7). */
  public static String describe(long code) {
    for (Http2ErrorCode c : values()) {
      if (c.code == code) {
        return c.name();
      }
    }
    return "error 0x" + Long.toHexString(code);
  }
}
