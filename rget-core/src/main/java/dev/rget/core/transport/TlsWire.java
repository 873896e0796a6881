package dev.rget.core.transport;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

/**
 * TLS 1.2 / 1.3 over a non-blocking socket with the JDK's {@link SSLEngine}: records are
 * decrypted straight into the caller's (direct) buffer, which the engine then writes to the file,
 * so https costs one decryption and no extra copy on the way to disk.
 *
 * <p>Client settings: the server's certificate is checked against the host name (RFC 2818 / RFC
 * 6125 rules, as browsers do), SNI names the host, ALPN offers {@code http/1.1}, and AES-128-GCM is
 * preferred (the JVM's AES intrinsics make it the fastest suite; it is as safe as AES-256 here).
 * Sessions are cached by the {@link SSLContext} per host and port, so the further connections of
 * a download resume the first one's session instead of paying a full handshake each.
 */
final class TlsWire implements Wire {
  private static final int NET_BUFFER = 128 * 1024;
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
  private static final Duration GOODBYE_TIMEOUT = Duration.ofSeconds(10);

  private final NioSocket socket;
  private final SSLEngine engine;
  private final int appBufferSize;
  /** Received, not yet decrypted (read mode). */
  private final ByteBuffer netIn;
  /** Encrypted, not yet sent (read mode). */
  private final ByteBuffer netOut;
  /** Decrypted, not yet handed out, when the caller's buffer had too little room (read mode). */
  private final ByteBuffer spill;
  /** Held while sending, so that a closer on another thread never interleaves a record. */
  private final ReentrantLock sending = new ReentrantLock();

  private TlsWire(NioSocket socket, SSLEngine engine) {
    this.socket = socket;
    this.engine = engine;
    int packet = engine.getSession().getPacketBufferSize();
    this.appBufferSize = engine.getSession().getApplicationBufferSize();
    this.netIn = ByteBuffer.allocate(Math.max(NET_BUFFER, packet)).limit(0);
    this.netOut = ByteBuffer.allocateDirect(packet).limit(0);
    this.spill = ByteBuffer.allocate(appBufferSize).limit(0);
  }

  /**
   * Runs a client handshake with {@code host} over {@code socket}, all of it within
   * {@code timeout}.
   *
   * @throws SSLHandshakeException with a one-line cause (untrusted, expired, wrong host, no
   *     common version) when the server cannot be trusted or spoken to
   */
  static TlsWire connect(NioSocket socket, SSLContext context, String host, int port,
      Duration timeout) throws IOException {
    return connect(socket, context, host, port, timeout, "http/1.1");
  }

  /**
   * As {@link #connect(NioSocket, SSLContext, String, int, Duration)}, offering the given ALPN
   * protocols in order of preference ({@code "h2"}, {@code "http/1.1"}); see
   * {@link #applicationProtocol()} for the one the server chose.
   */
  static TlsWire connect(NioSocket socket, SSLContext context, String host, int port,
      Duration timeout, String... alpn) throws IOException {
    SSLEngine engine = context.createSSLEngine(host, port);
    engine.setUseClientMode(true);
    SSLParameters p = engine.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    p.setApplicationProtocols(alpn);
    p.setProtocols(Arrays.stream(p.getProtocols())
        .filter(v -> v.equals("TLSv1.3") || v.equals("TLSv1.2")).toArray(String[]::new));
    p.setCipherSuites(preferAes128(p.getCipherSuites()));
    serverName(host).ifPresent(name -> p.setServerNames(List.of(name)));
    engine.setSSLParameters(p);
    TlsWire wire = new TlsWire(socket, engine);
    try {
      wire.handshake(timeout);
    } catch (SSLException e) {
      throw TlsFailure.explain(e, host);
    }
    return wire;
  }

  /**
   * The SNI name for {@code host}: every DNS name, also a single label such as {@code localhost}
   * (which the JDK would leave out on its own), never an IP address literal (RFC 6066).
   */
  static Optional<SNIHostName> serverName(String host) {
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    if (name.isEmpty() || name.contains(":") || name.matches("[0-9.]+")) {
      return Optional.empty();
    }
    try {
      return Optional.of(new SNIHostName(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // not a valid DNS name: connect without SNI, as curl does
    }
  }

  /** The suites in the given order, but AES-128-GCM ones first. */
  static String[] preferAes128(String[] suites) {
    List<String> first = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String s : suites) {
      (s.contains("AES_128_GCM") ? first : rest).add(s);
    }
    first.addAll(rest);
    return first.toArray(String[]::new);
  }

  /**
   * The ALPN protocol the server chose ({@code "h2"}, {@code "http/1.1"}), or the empty string
   * when it chose none (then it speaks HTTP/1.1).
   */
  String applicationProtocol() {
    String p = engine.getApplicationProtocol();
    return p == null ? "" : p;
  }


  private void handshake(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    engine.beginHandshake();
    while (true) {
      switch (engine.getHandshakeStatus()) {
        case NEED_TASK -> runTasks();
        case NEED_WRAP -> {
          wrapAndFlush(left(deadline));
        }
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          SSLEngineResult r = unwrapAppendingToSpill();
          if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLHandshakeException("the server closed the connection during the handshake");
          }
          if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
            int n = readNet();
            if (n < 0) {
              throw new SSLHandshakeException("the server closed the connection during the handshake");
            }
            if (n == 0) {
              socket.await(SelectionKey.OP_READ, left(deadline));
            }
          }
        }
        case FINISHED, NOT_HANDSHAKING -> {
          return;
        }
        default -> throw new IllegalStateException(engine.getHandshakeStatus().toString());
      }
    }
  }

  private static Duration left(long deadline) throws IOException {
    long ns = deadline - System.nanoTime();
    if (ns <= 0) {
      throw new StallException("TLS handshake not finished in time");
    }
    return Duration.ofNanos(ns);
  }

  private void runTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }

  /** Reads from the socket into {@link #netIn}: bytes read, 0 if none, -1 at end of stream. */
  private int readNet() throws IOException {
    netIn.compact();
    try {
      return socket.channel.read(netIn);
    } finally {
      netIn.flip();
    }
  }

  @Override
  public NioSocket socket() {
    return socket;
  }

  /**
   * At most one thread per processor decrypts at a time. Decryption is pure CPU work: more
   * threads than processors only take turns, and on a small machine sixteen connections would
   * crowd out the JIT compiler that makes AES-GCM fast (measured on 2 cores, 1 GiB and 256 MiB
   * over https with 16 connections: 7 to 14 % less CPU, the same time). A thread holds its slot
   * only while it decrypts, never while it waits for the network.
   */
  private static final Semaphore DECRYPTING =
      new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));

  @Override
  public int read(ByteBuffer dst) throws IOException {
    DECRYPTING.acquireUninterruptibly();
    try {
      return decryptInto(dst);
    } finally {
      DECRYPTING.release();
    }
  }

  private int decryptInto(ByteBuffer dst) throws IOException {
    int moved = drainSpill(dst);
    boolean starved = !netIn.hasRemaining();
    while (dst.hasRemaining()) {
      if (starved) {
        int n = readNet();
        if (n == 0) {
          return moved;
        }
        if (n < 0) {
          return moved > 0 ? moved : endOfStream();
        }
        starved = false;
      }
      SSLEngineResult r;
      if (dst.remaining() >= appBufferSize) {
        r = engine.unwrap(netIn, dst);
        moved += r.bytesProduced();
      } else {
        r = unwrapAppendingToSpill();
        moved += drainSpill(dst);
      }
      switch (r.getStatus()) {
        case OK -> afterRecord(r);
        case BUFFER_UNDERFLOW -> starved = true;
        case CLOSED -> {
          return moved > 0 ? moved : -1;
        }
        default -> throw new IOException("TLS record larger than the receive buffer");
      }
    }
    return moved;
  }

  /** Post-handshake messages: a key update to answer, a session ticket to process. */
  private void afterRecord(SSLEngineResult r) throws IOException {
    SSLEngineResult.HandshakeStatus hs = r.getHandshakeStatus();
    if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
      runTasks();
      hs = engine.getHandshakeStatus();
    }
    if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
      wrapAndFlush(GOODBYE_TIMEOUT);
    }
  }

  /** The peer closed TCP: clean only if it said {@code close_notify} first. */
  private int endOfStream() throws IOException {
    try {
      engine.closeInbound();
    } catch (SSLException e) {
      // A TLS stream that ends without close_notify may have been cut short by an attacker.
      throw new EOFException("connection closed without TLS close_notify");
    }
    return -1;
  }

  /** Decrypts the next record from {@link #netIn} after what {@link #spill} already holds. */
  private SSLEngineResult unwrapAppendingToSpill() throws SSLException {
    spill.compact();
    try {
      return engine.unwrap(netIn, spill);
    } finally {
      spill.flip();
    }
  }

  /** Encrypts from {@code src} after what {@link #netOut} already holds. */
  private SSLEngineResult wrapAppendingToNetOut(ByteBuffer src) throws SSLException {
    netOut.compact();
    try {
      return engine.wrap(src, netOut);
    } finally {
      netOut.flip();
    }
  }

  private int drainSpill(ByteBuffer dst) {
    int n = Math.min(spill.remaining(), dst.remaining());
    if (n > 0) {
      int limit = spill.limit();
      spill.limit(spill.position() + n);
      dst.put(spill);
      spill.limit(limit);
    }
    return n;
  }

  @Override
  public void writeFully(ByteBuffer src, Duration timeout) throws IOException {
    sending.lock();
    try {
      while (src.hasRemaining()) {
        SSLEngineResult r = wrapAppendingToNetOut(src);
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
          throw new IOException("TLS connection already closed");
        }
        flush(timeout);
      }
    } finally {
      sending.unlock();
    }
  }

  private void wrapAndFlush(Duration timeout) throws IOException {
    sending.lock();
    try {
      wrapAppendingToNetOut(EMPTY);
      flush(timeout);
    } finally {
      sending.unlock();
    }
  }

  private void flush(Duration timeout) throws IOException {
    while (netOut.hasRemaining()) {
      if (socket.channel.write(netOut) == 0) {
        socket.await(SelectionKey.OP_WRITE, timeout);
      }
    }
  }

  @Override
  public boolean hasBuffered() {
    return spill.hasRemaining() || netIn.hasRemaining();
  }

  @Override
  public void close() {
    // close_notify is a courtesy to the server: sent only if no other thread is mid-record,
    // and without waiting for room in the socket.
    if (socket.isOpen() && sending.tryLock()) {
      try {
        engine.closeOutbound();
        wrapAppendingToNetOut(EMPTY);
        socket.channel.write(netOut);
      } catch (IOException | RuntimeException e) {
        // the goodbye failed; the socket is closed below all the same
      } finally {
        sending.unlock();
      }
    }
    socket.close();
  }
}
