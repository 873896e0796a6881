package dev.rget.core.transport;

import dev.rget.core.transport.h2.HeaderField;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * HTTP/2 (RFC 9113) for https servers that offer it, HTTP/1.1 for the rest. The first request to
 * an https origin offers {@code h2} and {@code http/1.1} in ALPN; if the server picks {@code h2},
 * every request to that origin becomes a stream on a shared connection, and a further connection
 * is opened only when the open ones are at the server's SETTINGS_MAX_CONCURRENT_STREAMS or at
 * {@link #DEFAULT_STREAMS_PER_CONNECTION}. A server that picks HTTP/1.1 (or nothing) is
 * remembered, and its requests go to an {@link Http1Transport}. Plain http always uses HTTP/1.1
 * (no cleartext h2c). Thread-safe.
 */
public final class Http2Transport implements Transport {
  /**
   * Streams per connection before another connection to the same origin is opened. Measured
   * roughly on a shared 2-core machine against nginx over loopback (1 GiB, -n 16): all 16
   * streams on one connection and 8 per connection (two connections) took the same time within
   * the noise (2.1 to 3.5 s each), and one connection used a little less CPU (one handshake, one
   * reader), so one connection carries the default 8 and up to 16 streams.
   */
  public static final int DEFAULT_STREAMS_PER_CONNECTION = 16;
  /** Fields that belong to one HTTP/1.1 connection and must not be sent in HTTP/2. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive",
      "proxy-connection", "transfer-encoding", "upgrade", "host", "te");
  private static final String H2 = "h2";
  private static final String HTTP11 = "http/1.1";

  private final Duration connectTimeout;
  private final Duration headerTimeout;
  private final String userAgent;
  private final Http1Transport http1;
  private final Resolver resolver;
  private final ProxyRules proxies;
  private final Executor executor;
  private final ChunkPool pool = new ChunkPool(64 * 1024, 128);
  private final Map<String, Origin> origins = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param connectTimeout time allowed for the TCP handshake, and again for the TLS handshake
   *     and the server's first SETTINGS
   * @param headerTimeout time allowed for a response head to arrive
   * @param userAgent value of the User-Agent header
   * @param sslContext TLS settings for https (trust, sessions), or {@code null} for the JVM's
   *     default
   * @param executor runs each HTTP/2 connection's reader, one task for as long as the
   *     connection lives (until the server or {@link #close()} ends it); the transport starts
   *     no thread of its own
   */
  public Http2Transport(Duration connectTimeout, Duration headerTimeout, String userAgent,
      SSLContext sslContext, Executor executor) {
    this(connectTimeout, headerTimeout, userAgent, sslContext, ProxyRules.direct(), executor);
  }

  /**
   * As {@link #Http2Transport(Duration, Duration, String, SSLContext, Executor)}, with proxies:
   * a URL that goes through a proxy is spoken to in HTTP/1.1 (through the proxy), HTTP/2 is
   * used only on direct connections.
   */
  public Http2Transport(Duration connectTimeout, Duration headerTimeout, String userAgent,
      SSLContext sslContext, ProxyRules proxies, Executor executor) {
    this(connectTimeout, headerTimeout, userAgent, sslContext, proxies, executor,
        Resolver.system());
  }

  /** As the public constructor, with names looked up by {@code resolver} (tests give theirs). */
  Http2Transport(Duration connectTimeout, Duration headerTimeout, String userAgent,
      SSLContext sslContext, ProxyRules proxies, Executor executor, Resolver resolver) {
    this.resolver = resolver;
    this.connectTimeout = connectTimeout;
    this.headerTimeout = headerTimeout;
    this.userAgent = userAgent;
    this.executor = Objects.requireNonNull(executor, "executor");
    this.proxies = proxies;
    this.http1 = new Http1Transport(connectTimeout, headerTimeout, userAgent, sslContext, proxies,
        resolver);
  }

  @Override
  public TransportResponse send(TransportRequest request) throws IOException {
    URI uri = request.uri();
    if (!"https".equalsIgnoreCase(uri.getScheme()) || proxies.forUri(uri).isPresent()) {
      return http1.send(request);
    }
    if (closed) {
      throw new IOException("transport closed");
    }
    List<HeaderField> fields = requestFields(request);
    // Connections checked to be public are kept apart from the others.
    Origin origin = origins.computeIfAbsent(key(uri) + (request.publicAddressOnly() ? " public" : ""),
        k -> new Origin());
    Http2Connection conn;
    synchronized (origin) {
      if (HTTP11.equals(origin.protocol)) {
        conn = null;
      } else {
        conn = origin.reserve();
        if (conn == null) {
          // Connecting under the origin's lock: the other requests wait for this connection
          // instead of racing to open one each.
          conn = connect(uri, origin, request.publicAddressOnly());
          if (conn != null) {
            origin.connections.add(conn);
            if (!conn.tryReserve()) {
              throw new IOException("the HTTP/2 server at " + key(uri)
                  + " allows no concurrent streams");
            }
          }
        }
      }
    }
    if (conn == null) {
      return http1.send(request);
    }
    return conn.exchange(request, fields, headerTimeout);
  }

  /** A new connection to the origin: HTTP/2 if the server picks it, else null (HTTP/1.1). */
  private Http2Connection connect(URI uri, Origin origin, boolean publicOnly) throws IOException {
    int port = port(uri);
    // The lookup ends at once on the interrupt of a download's stop.
    InetSocketAddress addr = resolver.socketAddress(uri.getHost(), port, new ConnectAbort());
    if (addr.isUnresolved()) {
      throw new UnknownHostException(uri.getHost());
    }
    if (publicOnly) {
      PrivateAddress.requirePublic(uri.getHost(), addr.getAddress());
    }
    NioSocket socket = NioSocket.connect(addr, connectTimeout);
    TlsWire wire;
    try {
      wire = TlsWire.connect(socket, http1.tlsContext(), uri.getHost(), port, connectTimeout, H2,
          HTTP11);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
    if (!H2.equals(wire.applicationProtocol())) {
      // This connection speaks HTTP/1.1, but Http1Transport opens its own: the TLS session is
      // cached, so that costs one abbreviated handshake, once per origin.
      origin.protocol = HTTP11;
      wire.close();
      return null;
    }
    origin.protocol = H2;
    return Http2Connection.start(wire, key(uri), connectTimeout, headerTimeout, pool,
        DEFAULT_STREAMS_PER_CONNECTION, executor);
  }

  private List<HeaderField> requestFields(TransportRequest r) {
    URI uri = r.uri();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    String authority = uri.getHost() + (uri.getPort() >= 0 && uri.getPort() != 443
        ? ":" + uri.getPort() : "");
    List<HeaderField> f = new ArrayList<>();
    f.add(new HeaderField(":method", r.method()));
    f.add(new HeaderField(":scheme", "https"));
    f.add(new HeaderField(":authority", authority));
    f.add(new HeaderField(":path", path));
    // As over HTTP/1.1: the request's own User-Agent replaces the transport's, and an empty one
    // means none is sent.
    String agent = r.header("User-Agent");
    if (agent == null) {
      f.add(new HeaderField("user-agent", userAgent));
    } else if (!agent.isEmpty()) {
      TransportRequest.checkHeader("user-agent", agent);
      f.add(new HeaderField("user-agent", agent));
    }
    for (Map.Entry<String, String> h : r.headers().entrySet()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      TransportRequest.checkHeader(name, h.getValue());
      if (!HOP_BY_HOP.contains(name) && !name.equals("user-agent")) {
        f.add(new HeaderField(name, h.getValue()));
      }
    }
    return f;
  }



  private static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : 443;
  }

  private static String key(URI uri) {
    return String.valueOf(uri.getHost()).toLowerCase(Locale.ROOT) + ":" + port(uri);
  }

  @Override
  public void close() {
    closed = true;
    for (Origin o : origins.values()) {
      List<Http2Connection> conns;
      synchronized (o) {
        conns = new ArrayList<>(o.connections);
        o.connections.clear();
      }
      conns.forEach(Http2Connection::close);
    }
    http1.close();
  }

  /** What is known of one https origin: the protocol its server chose, its connections. */
  private static final class Origin {
    /** {@code "h2"}, {@code "http/1.1"}, or null before the first connection. */
    volatile String protocol;
    /** Guarded by this. */
    final List<Http2Connection> connections = new ArrayList<>();

    /** A slot on an open connection, dropping dead ones; null if all are full. */
    Http2Connection reserve() {
      connections.removeIf(c -> !c.usable());
      for (Http2Connection c : connections) {
        if (c.tryReserve()) {
          return c;
        }
      }
      return null;
    }
  }
}
