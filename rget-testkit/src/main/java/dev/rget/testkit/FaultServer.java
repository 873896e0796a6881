package dev.rget.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A small HTTP/1.1 server on raw sockets that serves {@link Resource}s correctly by default and
 * misbehaves on demand through {@link #faults()}.
 *
 * <p>Listens on 127.0.0.1 with an ephemeral port; one daemon thread per connection; keep-alive
 * (HTTP/1.1 default, {@code Connection: close} honoured). Request-line and headers are parsed
 * (names case-insensitive); request bodies with Content-Length are read and discarded.
 *
 * <p>Correct behaviour for a resource (GET and HEAD; other methods get 405):
 * <ul>
 *   <li>200 with Content-Length (or chunked if the resource says so), ETag, Last-Modified,
 *       Accept-Ranges as configured;
 *   <li>a single {@code Range: bytes=a-b | a- | -n} gives 206 with {@code Content-Range: bytes
 *       a-b/len}; an unsatisfiable one gives 416 with {@code Content-Range: bytes *&#47;len};
 *       syntactically invalid Range headers are ignored (200);
 *   <li><b>multiple ranges get 200 with the whole body</b> (multipart/byteranges is not
 *       implemented);
 *   <li>{@code If-Range} with a strong ETag equal to the resource's, or a date equal to its
 *       Last-Modified, keeps the range; anything else (weak tag, other tag/date) gives 200 with the
 *       whole body.
 * </ul>
 * Unknown paths get 404. Body bytes are written in slices of at most 64 KiB (16 KiB or less when
 * paced) and every fault is re-checked between slices.
 */
public final class FaultServer implements AutoCloseable {

  /** A registered redirect. */
  record Redirect(int status, String location) {}

  private final ServerSocket serverSocket;
  private final Thread acceptor;
  private final Map<String, Object> routes = new ConcurrentHashMap<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final Faults faults = new Faults();
  private final ServerStats stats = new ServerStats();
  private final AtomicLong connectionIds = new AtomicLong();
  private volatile boolean closed;

  /** Starts a server on 127.0.0.1 with an ephemeral port. */
  public FaultServer() throws IOException {
    serverSocket = new ServerSocket();
    serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    acceptor = new Thread(this::acceptLoop, "fault-server-" + port() + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Starts a server like the constructor, failing with an unchecked exception, so a test can
   * hold one in a field: {@code @AutoClose final FaultServer server = FaultServer.open();}.
   */
  public static FaultServer open() {
    try {
      return new FaultServer();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot start the fault server", e);
    }
  }

  /** The listening port. */
  public int port() {
    return serverSocket.getLocalPort();
  }

  /** {@code http://127.0.0.1:port/}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port() + "/");
  }

  /** The absolute URI of {@code path} (which must start with {@code /}) on this server. */
  public URI url(String path) {
    return URI.create("http://127.0.0.1:" + port() + checkPath(path));
  }

  // ---------------------------------------------------------------- routes

  /**
   * Serves {@code resource} at {@code path} (exact match on the path without query), replacing
   * whatever was there; requests that start afterwards see the new version.
   */
  public FaultServer put(String path, Resource resource) {
    routes.put(checkPath(path), Objects.requireNonNull(resource));
    return this;
  }

  /** Serves {@code content} at {@code path} with default {@link Resource} settings. */
  public FaultServer put(String path, Content content) {
    return put(path, Resource.of(content));
  }

  /** The resource currently served at {@code path}, or null. */
  public Resource resource(String path) {
    return routes.get(path) instanceof Resource r ? r : null;
  }

  /**
   * Answers every request for {@code path} with {@code status} (301, 302, 303, 307, 308, ...) and
   * {@code Location: location} verbatim (absolute or relative); loops are made by registering
   * both ends.
   */
  public FaultServer redirect(String path, int status, String location) {
    if (status < 300 || status > 399) {
      throw new IllegalArgumentException("not a redirect status: " + status);
    }
    routes.put(checkPath(path), new Redirect(status, Objects.requireNonNull(location)));
    return this;
  }

  /**
   * Hands every request for {@code path} to {@code handler}, which writes raw bytes (status and
   * response faults other than the status override and concurrency limit do not apply).
   */
  public FaultServer handle(String path, RawHandler handler) {
    routes.put(checkPath(path), Objects.requireNonNull(handler));
    return this;
  }

  /** Removes whatever is registered at {@code path} (it then answers 404). */
  public FaultServer remove(String path) {
    routes.remove(path);
    return this;
  }

  /** The runtime-switchable faults of this server. */
  public Faults faults() {
    return faults;
  }

  // ---------------------------------------------------------------- observability

  /** Snapshot of the log of finished requests, in completion order. */
  public List<RequestRecord> requests() {
    return stats.log();
  }

  /** Snapshot of the log entries for {@code path}. */
  public List<RequestRecord> requests(String path) {
    return stats.log().stream().filter(r -> r.path().equals(path)).collect(Collectors.toList());
  }

  /** Body payload bytes written across all responses (live, updated per slice). */
  public long bytesSent() {
    return stats.bytesSent();
  }

  /** Requests received (counted when their head has been parsed). */
  public long requestCount() {
    return stats.requestCount();
  }

  /** Connections accepted. */
  public long connectionCount() {
    return stats.connectionCount();
  }

  /** Connections open right now. */
  public int openConnections() {
    return stats.openConnections();
  }

  /** Requests being served right now. */
  public int inFlightRequests() {
    return stats.inFlight();
  }

  /**
   * Waits until no request is being served, so that the log and counters include every response
   * the client has seen (the server updates them just after the last byte is written).
   *
   * @return false on timeout
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (stats.inFlight() > 0) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(2);
    }
    return true;
  }

  /** The largest number of simultaneously open connections seen. */
  public int maxConcurrentConnections() {
    return stats.maxConcurrentConnections();
  }

  /** The largest number of simultaneously served requests seen. */
  public int maxConcurrentRequests() {
    return stats.maxConcurrentRequests();
  }

  /**
   * Clears the request log and the counters; maxima restart from the current values. Connection
   * numbers (used by {@link Faults#slowConnections}) keep counting.
   */
  public void resetCounters() {
    stats.reset();
  }

  /** Stops accepting, closes every connection and releases stalled responses. */
  @Override
  public void close() {
    closed = true;
    try {
      serverSocket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      faults.releaseStalls();
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      threads.forEach(Thread::interrupt);
      try {
        acceptor.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "FaultServer[" + baseUri() + "]";
  }

  // ---------------------------------------------------------------- internals

  Object route(String path) {
    return routes.get(path);
  }

  ServerStats stats() {
    return stats;
  }

  void forget(Socket socket) {
    sockets.remove(socket);
    threads.remove(Thread.currentThread());
  }

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        return; // closed
      }
      long id = connectionIds.incrementAndGet();
      stats.connectionOpened();
      sockets.add(socket);
      Thread t = new Thread(new ConnectionHandler(this, socket, id),
          "fault-server-" + port() + "-conn-" + id);
      t.setDaemon(true);
      threads.add(t);
      if (closed) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      t.start();
    }
  }

  private static String checkPath(String path) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/': " + path);
    }
    return path;
  }
}
