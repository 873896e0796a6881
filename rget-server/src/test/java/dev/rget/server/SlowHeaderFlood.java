package dev.rget.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A slow-header (slowloris) attacker, bounded: {@code n} connections that each send a request line
 * and about 15 KiB of complete header lines ({@link #head}), then one more byte of a header that
 * never ends each time {@link #tick()} is called. It records what the server answers on each
 * connection. Single-threaded, non-blocking.
 */
final class SlowHeaderFlood implements Closeable {
  private final List<Conn> conns = new ArrayList<>();

  private static final class Conn {
    final SocketChannel ch;
    final StringBuilder received = new StringBuilder();
    boolean closed;

    Conn(SocketChannel ch) {
      this.ch = ch;
    }
  }

  /** 15 KiB in 1,200 tiny fields: what issue 8 sent (thousands of header objects per connection). */
  static final byte[] TINY_FIELDS = head(1200, 1);
  /** 15 KiB in 98 fields of 150 bytes: as many fields as the limit allows, as big as fits. */
  static final byte[] MANY_FIELDS = head(98, 150);
  /** 15 KiB in one field: the longest line, which the decoder's line buffer grows to hold. */
  static final byte[] ONE_LONG_FIELD = head(1, 15_000);

  /** Opens the connections and sends their heads (all but the end), taking {@code heads} in turn. */
  static SlowHeaderFlood open(int port, int n, byte[]... heads) throws IOException {
    SlowHeaderFlood f = new SlowHeaderFlood();
    try {
      for (int i = 0; i < n; i++) {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ch.configureBlocking(false);
        f.conns.add(new Conn(ch));
        ByteBuffer b = ByteBuffer.wrap(heads[i % heads.length]);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (b.hasRemaining() && System.nanoTime() < deadline) {
          if (ch.write(b) == 0) {
            Thread.sleep(1);
          }
        }
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      f.close();
      throw new IOException("flood set-up failed after " + f.conns.size() + " connections", e);
    }
    return f;
  }

  /** A request line, {@code fields} complete fields with values of {@code length} bytes, and the start of one more. */
  static byte[] head(int fields, int length) {
    StringBuilder sb = new StringBuilder("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n");
    String value = "v".repeat(length);
    for (int i = 0; i < fields; i++) {
      sb.append("X-Pad-").append(i).append(": ").append(value).append("\r\n");
    }
    sb.append("X-Never-Ends: ");
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Sends one byte on each connection still open and collects what the server sent. */
  void tick() {
    ByteBuffer one = ByteBuffer.allocate(1);
    for (Conn c : conns) {
      if (c.closed) {
        continue;
      }
      collect(c);
      if (c.closed) {
        continue;
      }
      try {
        one.clear();
        one.put((byte) 'x').flip();
        c.ch.write(one);
      } catch (IOException e) {
        c.closed = true; // reset by the server
      }
    }
  }

  private static void collect(Conn c) {
    ByteBuffer b = ByteBuffer.allocate(1024);
    try {
      int n;
      while ((n = c.ch.read(b)) > 0) {
        c.received.append(new String(b.array(), 0, n, StandardCharsets.ISO_8859_1));
        b.clear();
      }
      if (n < 0) {
        c.closed = true;
      }
    } catch (IOException e) {
      c.closed = true;
    }
  }

  int size() {
    return conns.size();
  }

  /** Connections the server has neither answered nor closed yet. */
  int waiting() {
    return (int) conns.stream().filter(c -> !c.closed && c.received.length() == 0).count();
  }

  /** Trickles one byte a second until every connection is answered or closed, or {@code max} passes. */
  void trickleUntilAnswered(java.time.Duration max) throws InterruptedException {
    long start = System.nanoTime();
    long next = start;
    while (waiting() > 0 && System.nanoTime() - start < max.toNanos()) {
      tick();
      next += 1_000_000_000L;
      long sleep = (next - System.nanoTime()) / 1_000_000;
      long left = (start + max.toNanos() - System.nanoTime()) / 1_000_000;
      // poll for answers every 100 ms between the one-byte writes
      for (long slept = 0; slept < Math.min(sleep, left) && waiting() > 0; slept += 100) {
        Thread.sleep(100);
        conns.forEach(SlowHeaderFlood::collect);
      }
    }
    conns.forEach(c -> {
      if (!c.closed) {
        collect(c);
      }
    });
  }

  /** Connections whose answer starts with {@code statusLine}. */
  int answeredWith(String statusLine) {
    return (int) conns.stream().filter(c -> c.received.toString().startsWith(statusLine)).count();
  }

  @Override
  public void close() {
    for (Conn c : conns) {
      try {
        c.ch.close();
      } catch (IOException ignored) {
        // closing a test socket
      }
    }
  }
}
