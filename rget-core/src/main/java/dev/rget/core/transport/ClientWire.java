package dev.rget.core.transport;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * One connection to an origin server for a client that writes its own HTTP/1.1 requests (the
 * tus upload client): opened as downloads open theirs (direct, through an http proxy, a
 * {@code CONNECT} tunnel or SOCKS5, then TLS for https with the same checks), with blocking
 * calls that wait at most a given time. A file body goes by sendfile on plain TCP, and through a
 * direct buffer to the TLS engine on https. {@link #close()} may be called from any thread and
 * ends a wait in progress at once. Not otherwise thread-safe.
 */
public final class ClientWire implements AutoCloseable {
  private static final int BODY_BUFFER = 256 * 1024;

  private final Wire wire;
  private final boolean tls;
  /** The http proxy that gets this connection's requests in absolute form, or null. */
  private final Proxy forwarding;
  private ByteBuffer bodyBuffer;

  private ClientWire(Wire wire, boolean tls, Proxy forwarding) {
    this.wire = wire;
    this.tls = tls;
    this.forwarding = forwarding;
  }

  /**
   * Opens a connection to {@code uri}'s origin, through the proxy {@code proxies} names for it.
   *
   * @param tlsContext the TLS settings for https (trust), or null for the JVM's default
   * @param userAgent the User-Agent of a {@code CONNECT} to an http proxy
   * @param connectTimeout time allowed for the TCP connection, and again for each handshake
   * @throws javax.net.ssl.SSLHandshakeException with a one-line cause when the server's
   *     certificate is not trusted or not for this host (asking again will not help)
   * @throws ProxyException when the proxy fails or refuses, naming the proxy
   * @throws java.net.UnknownHostException when the host (or the SOCKS5 proxy's) is unknown
   * @throws IOException when the connection fails
   */
  public static ClientWire open(URI uri, ProxyRules proxies, SSLContext tlsContext,
      String userAgent, Duration connectTimeout) throws IOException {
    return open(uri, proxies, tlsContext, userAgent, connectTimeout, new ConnectAbort());
  }

  /**
   * As {@link #open(URI, ProxyRules, SSLContext, String, Duration)}, and {@code abort} (from any
   * thread) ends the opening at once, whatever it waits for: the TCP connection, the proxy, the
   * TLS handshake. There is no ClientWire to {@link #close()} until then.
   *
   * @throws java.io.InterruptedIOException when {@code abort} ended the opening
   */
  public static ClientWire open(URI uri, ProxyRules proxies, SSLContext tlsContext,
      String userAgent, Duration connectTimeout, ConnectAbort abort) throws IOException {
    boolean https = Dialer.isHttps(uri);
    if (!https && !"http".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("not an http or https URL: " + uri);
    }
    Proxy proxy = proxies.forUri(uri).orElse(null);
    Wire w = Dialer.connect(uri, proxy, false, https ? TlsTrust.orDefault(tlsContext) : null,
        userAgent, connectTimeout, abort);
    Proxy forwarding = proxy != null && proxy.kind() == Proxy.Kind.HTTP && !https ? proxy : null;
    return new ClientWire(w, https, forwarding);
  }

  /**
   * Whether requests on this connection go to an http proxy, in absolute form
   * ({@code PATCH http://host:port/path HTTP/1.1}, RFC 9112 section 3.2.2).
   */
  public boolean forwardedByProxy() {
    return forwarding != null;
  }

  /**
   * The {@code Proxy-Authorization} value for requests forwarded by an http proxy with a login,
   * else null.
   */
  public String proxyAuthorization() {
    return forwarding == null ? null : HttpConnectTunnel.basicAuthorization(forwarding);
  }

  /**
   * Fails when {@code status} is the forwarding proxy's refusal of its login (407), which would
   * otherwise be taken for the origin's answer.
   *
   * @throws ProxyException of reason AUTHENTICATION, naming the proxy
   */
  public void checkAnswer(int status) throws ProxyException {
    if (forwarding != null && status == 407) {
      throw HttpConnectTunnel.authenticationRequired(forwarding);
    }
  }

  /** Whether the connection runs TLS. */
  public boolean isTls() {
    return tls;
  }

  /** Whether the connection is still open (it may yet have been closed by the peer). */
  public boolean isOpen() {
    return wire.socket().isOpen();
  }

  /**
   * Sends all of {@code src}.
   *
   * @throws StallException if the socket takes nothing for {@code timeout}
   */
  public void write(ByteBuffer src, Duration timeout) throws IOException {
    wire.writeFully(src, timeout);
  }

  /**
   * Sends up to {@code count} bytes of {@code file} from {@code position}: on plain TCP from the
   * file to the socket by sendfile ({@link FileChannel#transferTo}), on TLS read into a direct
   * buffer and encrypted from there (TLS needs the bytes in the process).
   *
   * @return bytes sent, at least 1; 0 only when the file holds no byte at {@code position}
   * @throws StallException if the socket takes nothing for {@code timeout}
   */
  public long sendFile(FileChannel file, long position, long count, Duration timeout)
      throws IOException {
    if (count <= 0) {
      return 0;
    }
    if (tls) {
      if (bodyBuffer == null) {
        bodyBuffer = ByteBuffer.allocateDirect(BODY_BUFFER);
      }
      bodyBuffer.clear().limit((int) Math.min(BODY_BUFFER, count));
      int n = file.read(bodyBuffer, position);
      if (n <= 0) {
        return 0;
      }
      bodyBuffer.flip();
      wire.writeFully(bodyBuffer, timeout);
      return n;
    }
    NioSocket s = wire.socket();
    while (true) {
      long n = file.transferTo(position, count, s.channel);
      if (n > 0) {
        return n;
      }
      if (position >= file.size()) {
        return 0;
      }
      s.await(SelectionKey.OP_WRITE, timeout); // the socket's send buffer is full
    }
  }

  /**
   * Moves received bytes into {@code dst}, waiting for some.
   *
   * @return bytes moved (at least 1), or -1 at the end of the stream
   * @throws SocketTimeoutException if nothing arrives for {@code timeout}
   */
  public int read(ByteBuffer dst, Duration timeout) throws IOException {
    while (true) {
      int n = wire.read(dst);
      if (n != 0 || !dst.hasRemaining()) {
        return n;
      }
      try {
        wire.socket().await(SelectionKey.OP_READ, timeout);
      } catch (StallException e) {
        SocketTimeoutException t = new SocketTimeoutException(e.getMessage());
        t.initCause(e);
        throw t;
      }
    }
  }

  /**
   * The received bytes as a buffered stream whose reads wait at most {@code timeout} (then
   * {@link SocketTimeoutException}). Make one per connection: it may hold bytes read ahead.
   */
  public InputStream input(Duration timeout) {
    return new InputStream() {
      private final ByteBuffer buf = ByteBuffer.allocate(8192).limit(0);

      @Override
      public int read() throws IOException {
        if (!fill()) {
          return -1;
        }
        return buf.get() & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        if (!fill()) {
          return -1;
        }
        int n = Math.min(len, buf.remaining());
        buf.get(b, off, n);
        return n;
      }

      private boolean fill() throws IOException {
        if (buf.hasRemaining()) {
          return true;
        }
        buf.clear();
        int n;
        try {
          n = ClientWire.this.read(buf, timeout);
        } finally {
          buf.flip();
        }
        return n > 0;
      }
    };
  }

  /** Closes the connection (TLS with its goodbye when it can); never throws. */
  @Override
  public void close() {
    wire.close();
  }
}
