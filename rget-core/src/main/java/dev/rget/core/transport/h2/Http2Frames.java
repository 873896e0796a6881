package dev.rget.core.transport.h2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Frame types, flags, settings and the frame header layout of RFC 9113 (sections 3.4, 4, 6). */
public final class Http2Frames {
  /** The client connection preface (RFC 9113 3.4), sent before our first SETTINGS. */
  public static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  /** Bytes in a frame header. */
  public static final int HEADER_LENGTH = 9;
  /** The smallest SETTINGS_MAX_FRAME_SIZE, and the default: 16 KiB. */
  public static final int DEFAULT_MAX_FRAME_SIZE = 16_384;
  /** The initial flow-control window of a connection or stream before any WINDOW_UPDATE. */
  public static final int DEFAULT_WINDOW = 65_535;
  /** The largest flow-control window (2^31 - 1). */
  public static final int MAX_WINDOW = Integer.MAX_VALUE;

  /** DATA frame type. */
  public static final int DATA = 0x0;
  /** HEADERS frame type. */
  public static final int HEADERS = 0x1;
  /** PRIORITY frame type (deprecated; ignored). */
  public static final int PRIORITY = 0x2;
  /** RST_STREAM frame type. */
  public static final int RST_STREAM = 0x3;
  /** SETTINGS frame type. */
  public static final int SETTINGS = 0x4;
  /** PUSH_PROMISE frame type (we disable push). */
  public static final int PUSH_PROMISE = 0x5;
  /** PING frame type. */
  public static final int PING = 0x6;
  /** GOAWAY frame type. */
  public static final int GOAWAY = 0x7;
  /** WINDOW_UPDATE frame type. */
  public static final int WINDOW_UPDATE = 0x8;
  /** CONTINUATION frame type. */
  public static final int CONTINUATION = 0x9;

  /** END_STREAM flag (DATA, HEADERS). */
  public static final int FLAG_END_STREAM = 0x1;
  /** ACK flag (SETTINGS, PING). */
  public static final int FLAG_ACK = 0x1;
  /** END_HEADERS flag (HEADERS, CONTINUATION). */
  public static final int FLAG_END_HEADERS = 0x4;
  /** PADDED flag (DATA, HEADERS). */
  public static final int FLAG_PADDED = 0x8;
  /** PRIORITY flag (HEADERS). */
  public static final int FLAG_PRIORITY = 0x20;

  /** SETTINGS_HEADER_TABLE_SIZE. */
  public static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
  /** SETTINGS_ENABLE_PUSH. */
  public static final int SETTINGS_ENABLE_PUSH = 0x2;
  /** SETTINGS_MAX_CONCURRENT_STREAMS. */
  public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  /** SETTINGS_INITIAL_WINDOW_SIZE. */
  public static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
  /** SETTINGS_MAX_FRAME_SIZE. */
  public static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
  /** SETTINGS_MAX_HEADER_LIST_SIZE. */
  public static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

  private Http2Frames() {}

  /** Puts a frame header into {@code out}. */
  public static void putHeader(ByteBuffer out, int length, int type, int flags, int stream) {
    out.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
    out.put((byte) type).put((byte) flags).putInt(stream & 0x7fffffff);
  }

  /** A whole frame with the given payload, ready to send. */
  public static ByteBuffer frame(int type, int flags, int stream, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + payload.length);
    putHeader(b, payload.length, type, flags, stream);
    return b.put(payload).flip();
  }

  /** A frame whose payload is one 32-bit value (WINDOW_UPDATE, RST_STREAM). */
  public static ByteBuffer frame(int type, int flags, int stream, int value) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + 4);
    putHeader(b, 4, type, flags, stream);
    return b.putInt(value).flip();
  }

  /** The name of a frame type, for messages. */
  public static String typeName(int type) {
    return switch (type) {
      case DATA -> "DATA";
      case HEADERS -> "HEADERS";
      case PRIORITY -> "PRIORITY";
      case RST_STREAM -> "RST_STREAM";
      case SETTINGS -> "SETTINGS";
      case PUSH_PROMISE -> "PUSH_PROMISE";
      case PING -> "PING";
      case GOAWAY -> "GOAWAY";
      case WINDOW_UPDATE -> "WINDOW_UPDATE";
      case CONTINUATION -> "CONTINUATION";
      default -> "frame type 0x" + Integer.toHexString(type);
    };
  }
}
