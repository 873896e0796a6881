package dev.rget.core.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Opens the byte stream to an origin server: TCP to it (or to its proxy, then a SOCKS5 handshake
 * or, for https through an http proxy, a {@code CONNECT} tunnel), then TLS for https. Plain http
 * through an http proxy gets a bare connection to the proxy: the requests then go in absolute
 * form. Shared by {@link Http1Transport} and {@link ClientWire}.
 */
final class Dialer {
  private Dialer() {}

  /**
   * A connected wire to {@code uri}'s origin.
   *
   * @param proxy the proxy to go through, or null for a direct connection
   * @param publicOnly refuse an origin on a private address ({@link PrivateAddress})
   * @param tls the TLS context for https (unused for http)
   * @param userAgent the User-Agent of a {@code CONNECT}
   */
  static Wire connect(URI uri, Proxy proxy, boolean publicOnly, SSLContext tls, String userAgent,
      Duration connectTimeout) throws IOException {
    return connect(uri, proxy, publicOnly, tls, userAgent, connectTimeout, new ConnectAbort());
  }

  /**
   * As {@link #connect(URI, Proxy, boolean, SSLContext, String, Duration)}, ended at once by
   * {@code abort} in any phase (TCP, proxy, TLS): the socket is closed, and the failure is an
   * {@link java.io.InterruptedIOException}, not whatever the closed socket looked like.
   */
  static Wire connect(URI uri, Proxy proxy, boolean publicOnly, SSLContext tls, String userAgent,
      Duration connectTimeout, ConnectAbort abort) throws IOException {
    return connect(uri, proxy, publicOnly, tls, userAgent, connectTimeout, abort,
        Resolver.system());
  }

  /**
   * As {@link #connect(URI, Proxy, boolean, SSLContext, String, Duration, ConnectAbort)}, with
   * names looked up by {@code resolver}. A lookup, too, ends at once on {@code abort} or on an
   * interrupt of the calling thread (then an {@link java.io.InterruptedIOException}).
   */
  static Wire connect(URI uri, Proxy proxy, boolean publicOnly, SSLContext tls, String userAgent,
      Duration connectTimeout, ConnectAbort abort, Resolver resolver) throws IOException {
    try {
      return dial(uri, proxy, publicOnly, tls, userAgent, connectTimeout, abort, resolver);
    } catch (IOException e) {
      throw abort.explain(e);
    } finally {
      abort.release(); // handed out or closed: the canceller of the set-up has no more to do
    }
  }

  private static Wire dial(URI uri, Proxy proxy, boolean publicOnly, SSLContext tls,
      String userAgent, Duration connectTimeout, ConnectAbort abort, Resolver resolver)
      throws IOException {
    boolean https = isHttps(uri);
    NioSocket socket;
    if (proxy == null) {
      InetSocketAddress addr = resolver.socketAddress(uri.getHost(), port(uri), abort);
      if (addr.isUnresolved()) {
        throw new UnknownHostException(uri.getHost());
      }
      if (publicOnly) {
        PrivateAddress.requirePublic(uri.getHost(), addr.getAddress());
      }
      socket = NioSocket.connect(addr, connectTimeout, abort);
    } else {
      // Every lookup comes before the first socket: while one waits, the abort has only the
      // lookup to end, and no socket it would otherwise have to close too.
      InetAddress[] origin = null;
      if (publicOnly || proxy.kind() == Proxy.Kind.SOCKS5) {
        origin = resolver.all(uri.getHost(), abort); // socks5h: only for the check, not sent
      }
      if (publicOnly) {
        PrivateAddress.requirePublic(uri.getHost(), origin);
      }
      byte[] destination = proxy.kind() == Proxy.Kind.SOCKS5
          ? Socks5Handshake.destination(origin) : null;
      socket = connectToProxy(proxy, connectTimeout, abort, resolver);
      try {
        if (proxy.kind() == Proxy.Kind.HTTP) {
          if (https) {
            HttpConnectTunnel.open(socket, proxy, uri.getHost(), port(uri), userAgent,
                connectTimeout);
          }
        } else {
          Socks5Handshake.open(socket, proxy, uri.getHost(), destination, port(uri),
              connectTimeout);
        }
      } catch (IOException | RuntimeException e) {
        socket.close();
        throw e;
      }
    }
    if (!https) {
      return new PlainWire(socket);
    }
    try {
      return TlsWire.connect(socket, tls, uri.getHost(), port(uri), connectTimeout);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** A TCP connection to {@code proxy}; failures name the proxy, not the origin. */
  private static NioSocket connectToProxy(Proxy proxy, Duration connectTimeout,
      ConnectAbort abort, Resolver resolver) throws IOException {
    InetSocketAddress addr = resolver.socketAddress(proxy.host(), proxy.port(), abort);
    if (addr.isUnresolved()) {
      throw new ProxyException(ProxyException.Reason.REFUSED, "unknown host " + proxy.host()
          + " of the " + proxy.describe());
    }
    try {
      return NioSocket.connect(addr, connectTimeout, abort);
    } catch (ConnectTimeoutException e) {
      throw new ProxyException(ProxyException.Reason.TRANSIENT, "connection to the "
          + proxy.describe() + " timed out", e);
    } catch (java.net.ConnectException e) {
      throw new ProxyException(ProxyException.Reason.TRANSIENT, "the " + proxy.describe()
          + " refused the connection", e);
    } catch (IOException e) {
      throw new ProxyException(ProxyException.Reason.TRANSIENT, "cannot connect to the "
          + proxy.describe() + ": " + e.getMessage(), e);
    }
  }

  static boolean isHttps(URI uri) {
    return "https".equalsIgnoreCase(uri.getScheme());
  }

  static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : isHttps(uri) ? 443 : 80;
  }
}
