package dev.rget.core.upload;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends tus {@code PATCH} requests to a plain {@code http://} upload URL over one kept-alive
 * connection, the body going from the file to the socket without passing through the JVM's heap
 * ({@link FileChannel#transferTo}, sendfile on Linux): the upload's hot path, where the JDK's HTTP
 * client spent more CPU than the hashing. The response head is read strictly and bounded (every
 * byte from the network is hostile); a response body, if any, is read and dropped when small,
 * else the connection is closed. A send without progress for the stall timeout is aborted, and
 * {@link #abort()} from another thread ends a send at once.
 */
final class PlainPatch implements Closeable {
  /** What the server answered: its status and {@code Upload-Offset} (-1 when absent or bad). */
  record Answer(int status, long uploadOffset) {}

  private static final int MAX_HEAD = 16 * 1024;
  private static final int MAX_DROPPED_BODY = 64 * 1024;
  private static final long SLICE = 1 << 20;

  private final InetSocketAddress address;
  private final String hostHeader;
  private final Duration connectTimeout;
  private final Duration stallTimeout;
  private SocketChannel channel;
  private volatile SocketChannel inUse;
  private volatile long lastProgressNanos;

  PlainPatch(URI url, Duration connectTimeout, Duration stallTimeout) {
    int port = url.getPort() < 0 ? 80 : url.getPort();
    this.address = InetSocketAddress.createUnresolved(url.getHost(), port);
    this.hostHeader = (url.getRawAuthority().contains("@")
        ? url.getRawAuthority().substring(url.getRawAuthority().lastIndexOf('@') + 1)
        : url.getRawAuthority());
    this.connectTimeout = connectTimeout;
    this.stallTimeout = stallTimeout;
  }

  /**
   * Sends {@code PATCH url} with {@code headers} and {@code length} bytes of {@code file} from
   * {@code position} as the body, and reads the response head.
   *
   * @throws IOException when the connection fails, stalls, is aborted, or the answer is not HTTP
   */
  Answer send(URI url, Map<String, String> headers, FileChannel file, long position, long length)
      throws IOException {
    SocketChannel ch = connection();
    inUse = ch;
    lastProgressNanos = System.nanoTime();
    watch(ch);
    boolean keep = false;
    try {
      StringBuilder head = new StringBuilder(512);
      String target = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      if (url.getRawQuery() != null) {
        target += "?" + url.getRawQuery();
      }
      head.append("PATCH ").append(target).append(" HTTP/1.1\r\nHost: ").append(hostHeader).append("\r\n");
      for (Map.Entry<String, String> h : headers.entrySet()) {
        head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      }
      head.append("Content-Length: ").append(length).append("\r\n\r\n");
      ByteBuffer hb = ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      while (hb.hasRemaining()) {
        ch.write(hb);
      }
      long sent = 0;
      while (sent < length) {
        long n = file.transferTo(position + sent, Math.min(SLICE, length - sent), ch);
        if (n <= 0) {
          if (position + sent >= file.size()) {
            throw new IOException("file shrank while uploading (at " + (position + sent) + ")");
          }
          continue;
        }
        sent += n;
        lastProgressNanos = System.nanoTime();
      }
      Response r = readResponse(ch);
      keep = r.keepAlive;
      return new Answer(r.status, r.uploadOffset);
    } finally {
      inUse = null;
      if (!keep) {
        closeChannel();
      }
    }
  }

  /** Ends a send in progress from another thread (its {@link #send} then throws). */
  void abort() {
    SocketChannel ch = inUse;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // Closing to stop: the sender sees the closed channel either way.
      }
    }
  }

  @Override
  public void close() {
    closeChannel();
  }

  private SocketChannel connection() throws IOException {
    if (channel != null && channel.isOpen()) {
      return channel;
    }
    InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
    if (resolved.isUnresolved()) {
      throw new IOException("cannot resolve " + address.getHostString());
    }
    SocketChannel ch = SocketChannel.open();
    try {
      ch.socket().setTcpNoDelay(true);
      ch.socket().connect(resolved, (int) connectTimeout.toMillis());
      // Reads through the socket's stream honour this; writes are watched by watch().
      ch.socket().setSoTimeout((int) stallTimeout.toMillis());
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    channel = ch;
    return ch;
  }

  private void closeChannel() {
    SocketChannel ch = channel;
    channel = null;
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // Dropping a connection we will not use again.
      }
    }
  }

  /** Closes {@code ch} if a send on it makes no progress for the stall timeout. */
  private void watch(SocketChannel ch) {
    long period = Math.max(100, stallTimeout.toMillis() / 4);
    CompletableFuture.delayedExecutor(period, TimeUnit.MILLISECONDS).execute(() -> {
      if (inUse != ch) {
        return; // that send is over
      }
      if (System.nanoTime() - lastProgressNanos > stallTimeout.toNanos()) {
        abort();
      } else {
        watch(ch);
      }
    });
  }

  private record Response(int status, long uploadOffset, boolean keepAlive) {}

  private Response readResponse(SocketChannel ch) throws IOException {
    InputStream in = ch.socket().getInputStream();
    while (true) {
      String head = readHead(in);
      lastProgressNanos = System.nanoTime();
      Response r = parse(head);
      if (r.status >= 100 && r.status < 200) {
        continue; // an interim response: the final one follows
      }
      long bodyLength = r.status == 204 || r.status == 304 ? 0 : contentLength(head);
      boolean keep = r.keepAlive && bodyLength >= 0 && bodyLength <= MAX_DROPPED_BODY;
      if (keep) {
        long left = bodyLength;
        byte[] drop = new byte[(int) Math.min(bodyLength, 8192) + 1];
        while (left > 0) {
          int n = in.read(drop, 0, (int) Math.min(drop.length, left));
          if (n < 0) {
            keep = false;
            break;
          }
          left -= n;
        }
      }
      return new Response(r.status, r.uploadOffset, keep);
    }
  }

  private static String readHead(InputStream in) throws IOException {
    byte[] buf = new byte[MAX_HEAD];
    int len = 0;
    while (true) {
      int c;
      try {
        c = in.read();
      } catch (SocketTimeoutException e) {
        throw new IOException("no response within the stall timeout", e);
      }
      if (c < 0) {
        throw new IOException("connection closed before a response" + (len > 0 ? " head ended" : ""));
      }
      if (len == buf.length) {
        throw new IOException("response head longer than " + MAX_HEAD + " bytes");
      }
      buf[len++] = (byte) c;
      if (len >= 4 && buf[len - 4] == '\r' && buf[len - 3] == '\n' && buf[len - 2] == '\r' && buf[len - 1] == '\n') {
        return new String(buf, 0, len - 4, StandardCharsets.ISO_8859_1);
      }
    }
  }

  /** Status, Upload-Offset and whether the connection stays open, from a response head. */
  static Response parse(String head) throws IOException {
    String[] lines = head.split("\r\n", -1);
    String status = lines[0];
    if (!(status.startsWith("HTTP/1.1 ") || status.startsWith("HTTP/1.0 ")) || status.length() < 12
        || (status.length() > 12 && status.charAt(12) != ' ')) {
      throw new IOException("not an HTTP/1.x status line");
    }
    int code = 0;
    for (int i = 9; i < 12; i++) {
      char c = status.charAt(i);
      if (c < '0' || c > '9') {
        throw new IOException("bad status line");
      }
      code = code * 10 + (c - '0');
    }
    boolean keep = status.startsWith("HTTP/1.1 ");
    long offset = -1;
    int offsets = 0;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IOException("bad header line in the response");
      }
      String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      if (name.equals("upload-offset")) {
        offsets++;
        offset = parseOffset(value);
      } else if (name.equals("connection") && value.toLowerCase(Locale.ROOT).contains("close")) {
        keep = false;
      } else if (name.equals("transfer-encoding")) {
        keep = false; // a framed body this class does not read: do not reuse the connection
      }
    }
    // Two offsets are not one answer.
    return new Response(code, offsets == 1 ? offset : -1, keep);
  }

  private static long parseOffset(String v) {
    if (v.isEmpty() || v.length() > 19) {
      return -1;
    }
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(v);
  }

  /**
   * The Content-Length of a head; -1 when absent (the body then runs to the end of the
   * connection) or unusable (several, or not a number).
   */
  private static long contentLength(String head) {
    long length = -1;
    int seen = 0;
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("content-length")) {
        seen++;
        length = parseOffset(line.substring(colon + 1).strip());
      }
    }
    return seen > 1 ? -1 : length;
  }
}
