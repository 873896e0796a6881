package dev.rget.core.transport;

import java.io.IOException;

/**
 * Finds where an HTTP/1.1 response body ends (RFC 9112 section 6): after Content-Length bytes,
 * after the last chunk of a chunked body, or when the server closes the connection. Works on the
 * connection's read buffer in place and hands out slices of it, so body bytes are never copied.
 */
abstract class BodyFramer {

  /**
   * The next run of body bytes available in {@code buf} (a slice; {@code buf}'s position moves
   * past it), or {@code null} when more bytes must be read first or the body is complete.
   */
  abstract java.nio.ByteBuffer next(java.nio.ByteBuffer buf) throws IOException;

  /** Whether the whole body has been handed out. */
  abstract boolean done();

  /** Whether the body ends only when the connection closes (no length, not chunked). */
  boolean endsAtClose() {
    return false;
  }

  static BodyFramer fixed(long length) {
    return new Fixed(length);
  }

  static BodyFramer chunked() {
    return new Chunked();
  }

  static BodyFramer untilClose() {
    return new UntilClose();
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  static java.nio.ByteBuffer take(java.nio.ByteBuffer buf, long max) {
    int n = (int) Math.min(buf.remaining(), max);
    java.nio.ByteBuffer slice = buf.slice(buf.position(), n);
    buf.position(buf.position() + n);
    return slice;
  }

  private static final class Fixed extends BodyFramer {
    private long remaining;

    Fixed(long length) {
      this.remaining = length;
    }

    @Override
    java.nio.ByteBuffer next(java.nio.ByteBuffer buf) {
      if (remaining == 0 || !buf.hasRemaining()) {
        return null;
      }
      java.nio.ByteBuffer slice = take(buf, remaining);
      remaining -= slice.remaining();
      return slice;
    }

    @Override
    boolean done() {
      return remaining == 0;
    }
  }

  private static final class UntilClose extends BodyFramer {
    @Override
    java.nio.ByteBuffer next(java.nio.ByteBuffer buf) {
      return buf.hasRemaining() ? take(buf, buf.remaining()) : null;
    }

    @Override
    boolean done() {
      return false;
    }

    @Override
    boolean endsAtClose() {
      return true;
    }
  }

  /** Chunked transfer coding: size line, data, CRLF, ..., a zero size, trailers, empty line. */
  private static final class Chunked extends BodyFramer {
    private static final int MAX_LINE = 4096;
    private static final int MAX_TRAILER = 64 * 1024;

    private enum State { SIZE, DATA, DATA_END, TRAILER, DONE }

    private State state = State.SIZE;
    private long remaining;
    private int trailerBytes;

    @Override
    java.nio.ByteBuffer next(java.nio.ByteBuffer buf) throws IOException {
      while (true) {
        switch (state) {
          case SIZE -> {
            String line = line(buf);
            if (line == null) {
              return null;
            }
            int semi = line.indexOf(';');
            String hex = (semi < 0 ? line : line.substring(0, semi)).trim();
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(BodyFramer::isHex)) {
              // Hex digits only: Long.parseLong would also take a sign.
              throw new IOException("bad chunk size '" + hex + "'");
            }
            try {
              remaining = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
              throw new IOException("bad chunk size '" + hex + "'");
            }
            state = remaining == 0 ? State.TRAILER : State.DATA;
          }
          case DATA -> {
            if (!buf.hasRemaining()) {
              return null;
            }
            java.nio.ByteBuffer slice = take(buf, remaining);
            remaining -= slice.remaining();
            if (remaining == 0) {
              state = State.DATA_END;
            }
            return slice;
          }
          case DATA_END -> {
            String line = line(buf);
            if (line == null) {
              return null;
            }
            if (!line.isEmpty()) {
              throw new IOException("chunk not followed by CRLF");
            }
            state = State.SIZE;
          }
          case TRAILER -> {
            String line = line(buf);
            if (line == null) {
              return null;
            }
            if (line.isEmpty()) {
              state = State.DONE;
            } else if ((trailerBytes += line.length() + 2) > MAX_TRAILER) {
              // Trailers are ignored; an endless stream of them must not hold the connection.
              throw new IOException("chunked trailer larger than " + MAX_TRAILER + " bytes");
            }
          }
          case DONE -> {
            return null;
          }
          default -> throw new IllegalStateException(state.toString());
        }
      }
    }

    /** A CRLF-terminated line from {@code buf}, consumed; {@code null} if not all there yet. */
    private static String line(java.nio.ByteBuffer buf) throws IOException {
      for (int i = buf.position(); i + 1 < buf.limit(); i++) {
        if (buf.get(i) == '\r' && buf.get(i + 1) == '\n') {
          byte[] b = new byte[i - buf.position()];
          buf.get(b);
          buf.position(buf.position() + 2);
          return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
      }
      if (buf.remaining() > MAX_LINE) {
        throw new IOException("chunk header line too long");
      }
      return null;
    }

    @Override
    boolean done() {
      return state == State.DONE;
    }
  }
}
