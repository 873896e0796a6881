package dev.rget.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP listener on loopback that accepts every connection, reads whatever the client sends and
 * never answers: a TLS server that never answers the ClientHello, an http proxy that never
 * answers {@code CONNECT}, a SOCKS5 proxy that never answers the greeting. A client talking to
 * it is stuck in its connection set-up until a timeout or a cancel ends it. Tests wait with
 * {@link #awaitBytes} until the client has sent its first message, so they know it is waiting
 * for the answer.
 */
public final class SilentServer implements AutoCloseable {
  private final ServerSocket listener;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger closedByClient = new AtomicInteger();
  private final AtomicLong received = new AtomicLong();
  private final Object changed = new Object();

  private SilentServer() throws IOException {
    listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "silent-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts listening on an ephemeral loopback port. */
  public static SilentServer start() throws IOException {
    return new SilentServer();
  }

  /** The port it listens on (loopback). */
  public int port() {
    return listener.getLocalPort();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Connections the client closed (end of stream or reset) so far. */
  public int closedByClient() {
    return closedByClient.get();
  }

  /** Bytes received so far over all connections. */
  public long received() {
    return received.get();
  }

  /**
   * Waits until at least {@code bytes} have been received over all connections.
   *
   * @return whether they were within {@code timeout}
   */
  public boolean awaitBytes(long bytes, Duration timeout) throws InterruptedException {
    return await(() -> received.get() >= bytes, timeout);
  }

  /**
   * Waits until clients have closed at least {@code n} connections.
   *
   * @return whether they had within {@code timeout}
   */
  public boolean awaitClosedByClient(int n, Duration timeout) throws InterruptedException {
    return await(() -> closedByClient.get() >= n, timeout);
  }

  private boolean await(java.util.function.BooleanSupplier done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (changed) {
      while (!done.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(changed, left);
      }
      return true;
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket s;
      try {
        s = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      open.add(s);
      accepted.incrementAndGet();
      Thread reader = new Thread(() -> drain(s), "silent-server-conn");
      reader.setDaemon(true);
      reader.start();
    }
  }

  /** Reads and drops until the client closes, so that its writes never block. */
  private void drain(Socket s) {
    byte[] buf = new byte[8192];
    try (InputStream in = s.getInputStream()) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        received.addAndGet(n);
        synchronized (changed) {
          changed.notifyAll();
        }
      }
    } catch (SocketException e) {
      // a reset by the client, or close() of this server: both end the connection
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      if (open.remove(s)) {
        closedByClient.incrementAndGet();
      }
      synchronized (changed) {
        changed.notifyAll();
      }
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : open) {
      if (open.remove(s)) {
        s.close();
      }
    }
  }
}
