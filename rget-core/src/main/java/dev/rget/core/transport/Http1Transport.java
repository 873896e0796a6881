package dev.rget.core.transport;

import dev.rget.core.http.BodyLength;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;

/**
 * HTTP/1.1 for {@code http} and {@code https} on our own non-blocking sockets. Each body chunk
 * lands in a direct buffer (read from the socket, or decrypted into it by {@link TlsWire}) and is
 * handed to the caller, who writes it to the file from there, so no body byte is copied in Java.
 * Starts in milliseconds (the JDK's HttpClient costs about 0.3 s of start-up on a small machine)
 * and keeps idle connections for reuse.
 */
public final class Http1Transport implements Transport {
  private static final int BUFFER = 256 * 1024;
  private static final int MAX_HEAD = 64 * 1024;
  private static final int MAX_INFORMATIONAL = 16;
  private static final int MAX_IDLE_PER_HOST = 64;
  /**
   * An idle connection older than this is closed rather than reused: servers close theirs after
   * a few seconds (Apache 5 s, nginx 75 s), and one closed under a request costs a retry.
   */
  static final long MAX_IDLE_NANOS = 4_000_000_000L;

  private final Duration connectTimeout;
  private final Duration headerTimeout;
  private final String userAgent;
  private final SSLContext configuredTls;
  private final ProxyRules proxies;
  private final Resolver resolver;
  private volatile SSLContext tls;
  private final Map<String, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param connectTimeout time allowed for the TCP handshake, and again for the TLS handshake
   * @param headerTimeout time allowed for the whole response head to arrive
   * @param userAgent value of the User-Agent header
   * @param sslContext TLS settings for https (trust, sessions), or {@code null} for the JVM's
   *     default, looked up on the first https request
   */
  public Http1Transport(Duration connectTimeout, Duration headerTimeout, String userAgent,
      SSLContext sslContext) {
    this(connectTimeout, headerTimeout, userAgent, sslContext, ProxyRules.direct());
  }

  /**
   * A transport that reaches servers through the proxies {@code proxies} names: every
   * connection to a proxied host goes through the proxy (an http proxy gets plain-http requests
   * in absolute form and tunnels https with {@code CONNECT}; TLS then runs inside the tunnel).
   *
   * @param proxies which proxy each URL goes through
   */
  public Http1Transport(Duration connectTimeout, Duration headerTimeout, String userAgent,
      SSLContext sslContext, ProxyRules proxies) {
    this(connectTimeout, headerTimeout, userAgent, sslContext, proxies, Resolver.system());
  }

  /** As the public constructor, with names looked up by {@code resolver} (tests give theirs). */
  Http1Transport(Duration connectTimeout, Duration headerTimeout, String userAgent,
      SSLContext sslContext, ProxyRules proxies, Resolver resolver) {
    this.resolver = resolver;
    this.connectTimeout = connectTimeout;
    this.headerTimeout = headerTimeout;
    this.userAgent = userAgent;
    this.configuredTls = sslContext;
    this.proxies = proxies;
  }

  @Override
  public TransportResponse send(TransportRequest request) throws IOException {
    URI uri = request.uri();
    boolean https = isHttps(uri);
    if (!https && !"http".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("not an http or https URL: " + uri);
    }
    Proxy proxy = proxies.forUri(uri).orElse(null);
    // Connections through a proxy are never shared with direct ones, nor across proxies.
    String key = (https ? "https://" : "http://") + uri.getHost().toLowerCase(Locale.ROOT) + ":"
        + port(uri) + (proxy == null ? "" : " via " + proxy.describe())
        + (request.publicAddressOnly() ? " public" : "");
    // Plain http through an http proxy: the proxy gets the whole URL and its credentials.
    Proxy forwarding = proxy != null && proxy.kind() == Proxy.Kind.HTTP && !https ? proxy : null;
    byte[] head = requestHead(request, forwarding);
    Connection pooled = takeIdle(key);
    if (pooled != null) {
      try {
        return checkProxyAnswer(pooled.exchange(request, head), forwarding);
      } catch (ProxyException e) {
        throw e;
      } catch (IOException e) {
        // The server may have closed an idle connection just as we reused it: a fresh one
        // tells whether the failure is real.
        pooled.wire.close();
      }
    }
    Connection fresh = connect(uri, key, https, proxy, request.publicAddressOnly());
    try {
      return checkProxyAnswer(fresh.exchange(request, head), forwarding);
    } catch (IOException | RuntimeException e) {
      fresh.wire.close();
      throw e;
    }
  }

  /** A 407 is the proxy's answer, not the origin's: it fails naming the proxy. */
  private static TransportResponse checkProxyAnswer(TransportResponse r, Proxy forwarding)
      throws ProxyException {
    if (forwarding != null && r.status() == 407) {
      r.close();
      throw HttpConnectTunnel.authenticationRequired(forwarding);
    }
    return r;
  }

  @Override
  public void close() {
    closed = true;
    for (ConcurrentLinkedDeque<Connection> q : idle.values()) {
      Connection c;
      while ((c = q.poll()) != null) {
        c.wire.close();
      }
    }
  }

  private static boolean isHttps(URI uri) {
    return "https".equalsIgnoreCase(uri.getScheme());
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : isHttps(uri) ? 443 : 80;
  }

  private Connection takeIdle(String key) {
    ConcurrentLinkedDeque<Connection> q = idle.get(key);
    if (q == null) {
      return null;
    }
    evictIdle(System.nanoTime());
    Connection c;
    while ((c = q.pollLast()) != null) {
      if (c.usableAfterIdle()) {
        return c;
      }
      c.wire.close();
    }
    return null;
  }

  /**
   * Closes the pooled connections idle for longer than {@link #MAX_IDLE_NANOS} at {@code now}.
   * Run on every take and give-back, so no thread of its own is needed.
   */
  void evictIdle(long now) {
    for (ConcurrentLinkedDeque<Connection> q : idle.values()) {
      for (Connection c : q) {
        if (now - c.idleSince > MAX_IDLE_NANOS && q.remove(c)) {
          c.wire.close();
        }
      }
    }
  }

  private void giveBack(Connection c) {
    if (closed) {
      c.wire.close();
      return;
    }
    long now = System.nanoTime();
    evictIdle(now);
    ConcurrentLinkedDeque<Connection> q = idle.computeIfAbsent(c.key, k -> new ConcurrentLinkedDeque<>());
    if (q.size() >= MAX_IDLE_PER_HOST) {
      c.wire.close();
    } else {
      c.idleSince = now;
      q.add(c);
    }
  }

  private Connection connect(URI uri, String key, boolean https, Proxy proxy,
      boolean publicOnly) throws IOException {
    return new Connection(key, Dialer.connect(uri, proxy, publicOnly,
        https ? tlsContext() : null, userAgent, connectTimeout, new ConnectAbort(), resolver));
  }

  /** The TLS context, looked up on first use; {@link Http2Transport} uses this one too. */
  SSLContext tlsContext() throws IOException {
    SSLContext c = tls;
    if (c == null) {
      c = TlsTrust.orDefault(configuredTls);
      tls = c;
    }
    return c;
  }

  private byte[] requestHead(TransportRequest r, Proxy forwarding) {
    URI uri = r.uri();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    String hostPort = uri.getHost();
    if (uri.getPort() >= 0 && uri.getPort() != (isHttps(uri) ? 443 : 80)) {
      hostPort += ":" + uri.getPort();
    }
    StringBuilder sb = new StringBuilder(256);
    sb.append(r.method()).append(' ');
    if (forwarding != null) {
      // Absolute form (RFC 9112 section 3.2.2), without the user info: that is never sent.
      sb.append(uri.getScheme().toLowerCase(Locale.ROOT)).append("://").append(hostPort);
    }
    sb.append(path).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(hostPort).append("\r\n");
    if (r.header("User-Agent") == null) {
      sb.append("User-Agent: ").append(userAgent).append("\r\n");
    }
    String proxyAuth = forwarding == null ? null : HttpConnectTunnel.basicAuthorization(forwarding);
    if (proxyAuth != null) {
      sb.append("Proxy-Authorization: ").append(proxyAuth).append("\r\n");
    }
    for (Map.Entry<String, String> h : r.headers().entrySet()) {
      if (h.getKey().equalsIgnoreCase("User-Agent") && h.getValue().isEmpty()) {
        continue; // the user asked for no User-Agent at all
      }
      TransportRequest.checkHeader(h.getKey(), h.getValue());
      sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    sb.append("\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }


  /** One connection: sends requests and reads responses, one at a time. */
  private final class Connection {
    final String key;
    final Wire wire;
    final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
    /** When it went back to the pool (System.nanoTime). */
    volatile long idleSince;

    Connection(String key, Wire wire) {
      this.key = key;
      this.wire = wire;
      buf.limit(0);
    }

    /**
     * Whether a pooled connection can carry a request: open, and with nothing to read. An idle
     * connection has no response pending, so bytes or an end of stream mean the server closed
     * it or broke it.
     */
    boolean usableAfterIdle() {
      if (!wire.socket().isOpen()) {
        return false;
      }
      try {
        buf.clear();
        int n = wire.read(buf);
        return n == 0 && !wire.hasBuffered();
      } catch (IOException e) {
        return false;
      } finally {
        buf.limit(0);
      }
    }

    TransportResponse exchange(TransportRequest request, byte[] head) throws IOException {
      wire.writeFully(ByteBuffer.wrap(head), headerTimeout);
      // One deadline for the whole head, however slowly a server trickles it, 1xx included.
      long deadline = System.nanoTime() + headerTimeout.toNanos();
      for (int informational = 0; ; informational++) {
        ResponseHead h = readHead(deadline);
        if (h.status() >= 200) {
          return new Response(this, request, h);
        }
        if (informational >= MAX_INFORMATIONAL || h.status() == 101) {
          throw new IOException(h.status() == 101 ? "unexpected protocol switch (101)"
              : "more than " + MAX_INFORMATIONAL + " informational (1xx) responses");
        }
      }
    }

    /** Reads a status line and headers; leftover bytes stay in {@link #buf}. */
    private ResponseHead readHead(long deadline) throws IOException {
      while (true) {
        int end = findHeadEnd();
        if (end >= 0) {
          byte[] raw = new byte[end - buf.position()];
          buf.get(raw);
          buf.position(buf.position() + 4);
          return ResponseHead.parse(new String(raw, StandardCharsets.ISO_8859_1));
        }
        if (buf.remaining() >= MAX_HEAD) {
          throw new IOException("response headers larger than " + MAX_HEAD + " bytes");
        }
        long left = deadline - System.nanoTime();
        int n;
        try {
          if (left <= 0) {
            throw new StallException("deadline passed");
          }
          n = fill(Duration.ofNanos(left));
        } catch (StallException e) {
          throw new StallException("response headers not complete within "
              + headerTimeout.toSeconds() + " s");
        }
        if (n < 0) {
          throw new EOFException("connection closed before the response headers");
        }
      }
    }

    private int findHeadEnd() {
      for (int i = buf.position(); i + 3 < buf.limit(); i++) {
        if (buf.get(i) == '\r' && buf.get(i + 1) == '\n' && buf.get(i + 2) == '\r'
            && buf.get(i + 3) == '\n') {
          return i;
        }
      }
      return -1;
    }

    /**
     * Reads more bytes after those not yet consumed: how many (possibly 0 when only part of a
     * TLS record came), -1 at end of stream.
     *
     * @throws StallException if nothing arrives within {@code timeout}
     */
    int fill(Duration timeout) throws IOException {
      if (buf.position() > 0) {
        buf.compact();
        buf.flip();
      }
      int keep = buf.limit();
      buf.position(keep);
      buf.limit(buf.capacity());
      try {
        int n = wire.read(buf);
        if (n == 0) {
          wire.socket().await(SelectionKey.OP_READ, timeout);
          n = wire.read(buf);
        }
        return n;
      } finally {
        buf.limit(buf.position());
        buf.position(0);
      }
    }
  }

  /** A response whose body is read from the connection's buffer, framed by length or chunks. */
  private final class Response implements TransportResponse {
    private final Connection conn;
    private final TransportRequest request;
    private final ResponseHead head;
    private final BodyFramer framer;
    private final AtomicBoolean released = new AtomicBoolean();
    private boolean finished;

    Response(Connection conn, TransportRequest request, ResponseHead head) throws IOException {
      this.conn = conn;
      this.request = request;
      this.head = head;
      boolean noBody = request.method().equals("HEAD") || head.status() == 204
          || head.status() == 304;
      BodyLength body = head.framing();
      if (noBody) {
        framer = BodyFramer.fixed(0);
      } else if (body.chunked()) {
        framer = BodyFramer.chunked();
      } else if (body.length() >= 0) {
        framer = BodyFramer.fixed(body.length());
      } else {
        framer = BodyFramer.untilClose();
      }
    }

    @Override
    public int status() {
      return head.status();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public Optional<String> header(String name) {
      return head.first(name);
    }

    @Override
    public List<String> headers(String name) {
      return head.all(name);
    }

    @Override
    public ByteBuffer next(Duration stallTimeout) throws IOException {
      if (released.get()) {
        throw new IOException("response closed");
      }
      while (true) {
        ByteBuffer chunk = framer.next(conn.buf);
        if (chunk != null) {
          return chunk;
        }
        if (framer.done()) {
          finished = true;
          return null;
        }
        if (conn.fill(stallTimeout) < 0) {
          if (framer.endsAtClose()) {
            finished = true;
            return null;
          }
          throw new EOFException("connection closed in the middle of the body");
        }
      }
    }

    @Override
    public void close() {
      // Exactly one closer decides the connection's fate: two must never both pool it.
      if (!released.compareAndSet(false, true)) {
        return;
      }
      boolean complete = finished || framer.done();
      boolean serverCloses = head.http10() || head.first("connection")
          .map(v -> v.toLowerCase(Locale.ROOT).contains("close")).orElse(false);
      boolean reusable = complete && !framer.endsAtClose() && !serverCloses
          && !conn.buf.hasRemaining() && !conn.wire.hasBuffered();
      if (reusable) {
        giveBack(conn);
      } else {
        conn.wire.close();
      }
    }
  }
}
