package dev.rget.core.transport;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.time.Duration;

/**
 * Blocking-style reads and writes on a {@link NioSocket} under one deadline, for the short
 * exchanges with a proxy before the HTTP or TLS stream starts (SOCKS5 negotiation, CONNECT).
 * Reads never take more bytes than asked, so nothing of the stream that follows is consumed.
 */
final class HandshakeIo {
  private final NioSocket socket;
  private final long deadline;
  private final Duration timeout;

  HandshakeIo(NioSocket socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
    this.deadline = System.nanoTime() + timeout.toNanos();
  }

  void write(byte[] bytes) throws IOException {
    ByteBuffer src = ByteBuffer.wrap(bytes);
    while (src.hasRemaining()) {
      if (socket.channel.write(src) == 0) {
        socket.await(SelectionKey.OP_WRITE, left());
      }
    }
  }

  /** Reads exactly {@code n} bytes. */
  byte[] read(int n) throws IOException {
    ByteBuffer dst = ByteBuffer.allocate(n);
    while (dst.hasRemaining()) {
      int got = socket.channel.read(dst);
      if (got < 0) {
        throw new EOFException("the proxy closed the connection");
      }
      if (got == 0) {
        socket.await(SelectionKey.OP_READ, left());
      }
    }
    return dst.array();
  }

  /** Reads up to and including the blank line that ends an HTTP head, at most {@code max}. */
  String readHead(int max) throws IOException {
    StringBuilder sb = new StringBuilder(256);
    while (sb.length() < max) {
      char c = (char) (read(1)[0] & 0xff);
      sb.append(c);
      int n = sb.length();
      if (n >= 4 && sb.charAt(n - 1) == '\n' && sb.charAt(n - 2) == '\r'
          && sb.charAt(n - 3) == '\n' && sb.charAt(n - 4) == '\r') {
        return sb.substring(0, n - 4);
      }
    }
    throw new IOException("proxy response head larger than " + max + " bytes");
  }

  private Duration left() throws IOException {
    long ns = deadline - System.nanoTime();
    if (ns <= 0) {
      throw new StallException("no answer within " + timeout.toSeconds() + " s");
    }
    return Duration.ofNanos(ns);
  }
}
