package dev.rget.core.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * HTTP/1.1 over plain TCP on our own sockets: each body chunk is read from the socket straight
 * into a direct buffer and handed to the caller, who writes it to the file from there, so no
 * body byte is copied in Java. Starts in milliseconds (the JDK client costs about 0.3 s of
 * start-up on a small machine) and keeps idle connections for reuse. Only {@code http} URIs.
 */
public final class PlainHttpTransport implements Transport {
  private static final int BUFFER = 256 * 1024;
  private static final int MAX_HEAD = 64 * 1024;
  private static final int MAX_IDLE_PER_HOST = 64;

  private final Duration connectTimeout;
  private final Duration headerTimeout;
  private final String userAgent;
  private final Map<String, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param connectTimeout time allowed for the TCP handshake
   * @param headerTimeout time allowed between bytes while waiting for the response headers
   * @param userAgent value of the User-Agent header
   */
  public PlainHttpTransport(Duration connectTimeout, Duration headerTimeout, String userAgent) {
    this.connectTimeout = connectTimeout;
    this.headerTimeout = headerTimeout;
    this.userAgent = userAgent;
  }

  @Override
  public TransportResponse send(TransportRequest request) throws IOException {
    URI uri = request.uri();
    if (!"http".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("PlainHttpTransport handles http only: " + uri);
    }
    String key = hostKey(uri);
    byte[] head = requestHead(request);
    Connection pooled = takeIdle(key);
    if (pooled != null) {
      try {
        return pooled.exchange(request, head);
      } catch (IOException e) {
        // The server may have closed an idle connection just as we reused it: a fresh one
        // tells whether the failure is real.
        pooled.closeQuietly();
      }
    }
    Connection fresh = connect(uri, key);
    try {
      return fresh.exchange(request, head);
    } catch (IOException | RuntimeException e) {
      fresh.closeQuietly();
      throw e;
    }
  }

  @Override
  public void close() {
    closed = true;
    for (ConcurrentLinkedDeque<Connection> q : idle.values()) {
      Connection c;
      while ((c = q.poll()) != null) {
        c.closeQuietly();
      }
    }
  }

  private static String hostKey(URI uri) {
    return uri.getHost().toLowerCase(Locale.ROOT) + ":" + port(uri);
  }

  private static int port(URI uri) {
    return uri.getPort() < 0 ? 80 : uri.getPort();
  }

  private Connection takeIdle(String key) {
    ConcurrentLinkedDeque<Connection> q = idle.get(key);
    if (q == null) {
      return null;
    }
    Connection c;
    while ((c = q.pollLast()) != null) {
      if (c.channel.isOpen()) {
        return c;
      }
    }
    return null;
  }

  private void giveBack(Connection c) {
    if (closed) {
      c.closeQuietly();
      return;
    }
    ConcurrentLinkedDeque<Connection> q = idle.computeIfAbsent(c.key, k -> new ConcurrentLinkedDeque<>());
    if (q.size() >= MAX_IDLE_PER_HOST) {
      c.closeQuietly();
    } else {
      q.add(c);
    }
  }

  private Connection connect(URI uri, String key) throws IOException {
    InetSocketAddress addr = new InetSocketAddress(uri.getHost(), port(uri));
    if (addr.isUnresolved()) {
      throw new UnknownHostException(uri.getHost());
    }
    SocketChannel ch = SocketChannel.open();
    try {
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.socket().connect(addr, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
      ch.configureBlocking(false);
      return new Connection(key, ch);
    } catch (SocketTimeoutException e) {
      ch.close();
      throw new HttpConnectTimeoutException("connect timed out: " + addr);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private byte[] requestHead(TransportRequest r) {
    URI uri = r.uri();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    StringBuilder sb = new StringBuilder(256);
    sb.append(r.method()).append(' ').append(path).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(uri.getHost());
    if (uri.getPort() >= 0 && uri.getPort() != 80) {
      sb.append(':').append(uri.getPort());
    }
    sb.append("\r\nUser-Agent: ").append(userAgent).append("\r\n");
    for (Map.Entry<String, String> h : r.headers().entrySet()) {
      checkHeader(h.getKey(), h.getValue());
      sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    sb.append("\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void checkHeader(String name, String value) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == ':') {
        throw new IllegalArgumentException("bad header name " + name);
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0 || c > 0xff) {
        throw new IllegalArgumentException("bad character in header " + name);
      }
    }
  }

  /** One TCP connection: sends requests and reads responses, one at a time. */
  private final class Connection {
    final String key;
    final SocketChannel channel;
    final Selector selector;
    final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);

    Connection(String key, SocketChannel channel) throws IOException {
      this.key = key;
      this.channel = channel;
      this.selector = Selector.open();
      channel.register(selector, SelectionKey.OP_READ);
      buf.limit(0);
    }

    TransportResponse exchange(TransportRequest request, byte[] head) throws IOException {
      ByteBuffer out = ByteBuffer.wrap(head);
      while (out.hasRemaining()) {
        if (channel.write(out) == 0) {
          waitFor(SelectionKey.OP_WRITE, headerTimeout);
        }
      }
      while (true) {
        Head h = readHead();
        if (h.status >= 100 && h.status < 200) {
          continue; // informational: the real response follows
        }
        return new Response(this, request, h);
      }
    }

    /** Reads a status line and headers; leftover bytes stay in {@link #buf}. */
    private Head readHead() throws IOException {
      while (true) {
        int end = findHeadEnd();
        if (end >= 0) {
          byte[] raw = new byte[end - buf.position()];
          buf.get(raw);
          buf.position(buf.position() + 4);
          return Head.parse(new String(raw, StandardCharsets.ISO_8859_1));
        }
        if (buf.remaining() >= MAX_HEAD) {
          throw new IOException("response headers larger than " + MAX_HEAD + " bytes");
        }
        if (fill(headerTimeout) < 0) {
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
     * Reads more bytes after those not yet consumed; -1 at end of stream.
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
        int n = channel.read(buf);
        if (n == 0) {
          waitFor(SelectionKey.OP_READ, timeout);
          n = channel.read(buf);
        }
        return n;
      } finally {
        buf.limit(buf.position());
        buf.position(0);
      }
    }

    private void waitFor(int op, Duration timeout) throws IOException {
      int ready;
      try {
        SelectionKey k = channel.keyFor(selector);
        k.interestOps(op);
        selector.selectedKeys().clear();
        ready = selector.select(Math.max(1, timeout.toMillis()));
      } catch (java.nio.channels.ClosedSelectorException
          | java.nio.channels.CancelledKeyException e) {
        // Another thread closed this connection to abort the transfer.
        throw new java.nio.channels.AsynchronousCloseException();
      }
      if (ready == 0) {
        if (!channel.isOpen()) {
          throw new IOException("connection closed");
        }
        throw new StallException("no data for " + timeout.toSeconds() + " s");
      }
    }

    void closeQuietly() {
      try {
        selector.close();
      } catch (IOException e) {
        // closing: nothing to do with a failure here
      }
      try {
        channel.close();
      } catch (IOException e) {
        // closing: nothing to do with a failure here
      }
    }
  }

  /** A parsed status line and header block. */
  private record Head(int status, boolean http10, Map<String, List<String>> headers) {
    static Head parse(String text) throws IOException {
      String[] lines = text.split("\r\n");
      String status = lines[0];
      if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
        throw new IOException("not an HTTP/1.x response: '" + abbreviate(status) + "'");
      }
      int code;
      try {
        code = Integer.parseInt(status.substring(9, 12));
      } catch (NumberFormatException e) {
        throw new IOException("bad status line '" + abbreviate(status) + "'");
      }
      Map<String, List<String>> headers = new ConcurrentHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon <= 0) {
          throw new IOException("malformed header line '" + abbreviate(lines[i]) + "'");
        }
        String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
        headers.computeIfAbsent(name, n -> Collections.synchronizedList(new ArrayList<>()))
            .add(lines[i].substring(colon + 1).trim());
      }
      return new Head(code, status.startsWith("HTTP/1.0"), headers);
    }

    private static String abbreviate(String s) {
      return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    Optional<String> first(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }
  }

  /** A response whose body is read from the connection's buffer, framed by length or chunks. */
  private final class Response implements TransportResponse {
    private final Connection conn;
    private final TransportRequest request;
    private final Head head;
    private final BodyFramer framer;
    private boolean finished;
    private volatile boolean released;

    Response(Connection conn, TransportRequest request, Head head) throws IOException {
      this.conn = conn;
      this.request = request;
      this.head = head;
      boolean noBody = request.method().equals("HEAD") || head.status == 204 || head.status == 304;
      String te = head.first("transfer-encoding").orElse("");
      if (noBody) {
        framer = BodyFramer.fixed(0);
      } else if (te.toLowerCase(Locale.ROOT).contains("chunked")) {
        framer = BodyFramer.chunked();
      } else {
        Optional<String> cl = head.first("content-length");
        if (cl.isPresent()) {
          long n;
          try {
            n = Long.parseLong(cl.get().trim());
          } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length '" + cl.get() + "'");
          }
          if (n < 0) {
            throw new IOException("negative Content-Length");
          }
          framer = BodyFramer.fixed(n);
        } else {
          framer = BodyFramer.untilClose();
        }
      }
    }

    @Override
    public int status() {
      return head.status;
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
      List<String> v = head.headers.get(name.toLowerCase(Locale.ROOT));
      return v == null ? List.of() : List.copyOf(v);
    }

    @Override
    public ByteBuffer next(Duration stallTimeout) throws IOException {
      if (released) {
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
      if (released) {
        return;
      }
      released = true;
      boolean complete = finished || framer.done();
      boolean serverCloses = head.http10 || head.first("connection")
          .map(v -> v.toLowerCase(Locale.ROOT).contains("close")).orElse(false);
      boolean reusable = complete && !framer.endsAtClose() && !serverCloses
          && !conn.buf.hasRemaining();
      if (reusable) {
        giveBack(conn);
      } else {
        conn.closeQuietly();
      }
    }
  }
}
