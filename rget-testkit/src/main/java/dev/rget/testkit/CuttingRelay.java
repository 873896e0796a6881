package dev.rget.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on loopback that cuts connections short: it forwards bytes both ways between a
 * client and a target server, and on the first {@code cuts} connections closes both sockets
 * once {@code cutAfter} bytes have gone from the server to the client. The relay knows nothing
 * of the protocol, so a TLS stream ends mid-record and without {@code close_notify}, as when a
 * middlebox or a crashed server drops a connection.
 */
public final class CuttingRelay implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final long cutAfter;
  private final AtomicInteger cutsLeft;
  private final AtomicInteger cutsDone = new AtomicInteger();
  private final AtomicLong bytesUp = new AtomicLong();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;

  private CuttingRelay(InetSocketAddress target, long cutAfter, int cuts) throws IOException {
    this.listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    this.target = target;
    this.cutAfter = cutAfter;
    this.cutsLeft = new AtomicInteger(cuts);
    this.acceptor = new Thread(this::acceptLoop, "cutting-relay");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a relay to {@code target} that cuts the first {@code cuts} connections. */
  public static CuttingRelay start(InetSocketAddress target, long cutAfter, int cuts)
      throws IOException {
    return new CuttingRelay(target, cutAfter, cuts);
  }

  /** The port the relay listens on (loopback). */
  public int port() {
    return listener.getLocalPort();
  }

  /** How many connections were cut so far. */
  public int cuts() {
    return cutsDone.get();
  }

  /** Bytes forwarded from clients to the target so far, over all connections. */
  public long bytesUp() {
    return bytesUp.get();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(target.getAddress(), target.getPort());
        open.add(client);
        open.add(server);
        long limit = cutsLeft.getAndDecrement() > 0 ? cutAfter : Long.MAX_VALUE;
        pump(client, server, Long.MAX_VALUE, "up");
        pump(server, client, limit, "down");
      } catch (IOException e) {
        if (!listener.isClosed()) {
          System.err.println("cutting relay: " + e);
        }
      }
    }
  }

  private void pump(Socket from, Socket to, long limit, String name) {
    boolean up = name.equals("up");
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      long sent = 0;
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          int allowed = (int) Math.min(n, limit - sent);
          out.write(buf, 0, allowed);
          sent += allowed;
          if (up) {
            bytesUp.addAndGet(allowed);
          }
          if (sent >= limit) {
            cutsDone.incrementAndGet();
            break;
          }
        }
      } catch (IOException e) {
        // the other direction closed the pair: this direction ends too
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "cutting-relay-" + name);
    t.setDaemon(true);
    t.start();
  }

  private void closeQuietly(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // already closed by the other pump
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : open) {
      closeQuietly(s);
    }
  }
}
