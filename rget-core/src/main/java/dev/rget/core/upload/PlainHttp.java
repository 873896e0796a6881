package dev.rget.core.upload;

import dev.rget.core.http.Headers;
import dev.rget.core.transport.ClientWire;
import dev.rget.core.transport.ConnectAbort;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends the tus requests of an upload as plain HTTP/1.1 over one kept-alive {@link ClientWire}
 * (http or https, direct or through a proxy, opened as downloads open theirs), a {@code PATCH}
 * body going from the file to the socket without passing through the JVM's heap on http
 * ({@link FileChannel#transferTo}, sendfile on Linux) and through one direct buffer to the TLS
 * engine on https. The JDK's HTTP client, used before, spent more CPU than the hashing on that hot
 * path, and about a second of start-up (its TLS defaults) before the first byte. Through an http
 * proxy, plain-http requests go in absolute form with the proxy's login. The response head is
 * read strictly and bounded (every byte from the network is hostile); a response body, if any, is
 * read and dropped when small, else the connection is closed. A send without progress for the
 * stall timeout is aborted, and {@link #abort()} from another thread ends a send at once, also
 * while its connection is still being opened.
 *
 * <p>Requests may also be pipelined ({@link #write}, then {@link #read} for each, in order): the
 * next {@code PATCH} goes out while the server still checks and stores the previous one. Any
 * failure closes the connection, and with it the requests whose answers were not read.
 */
final class PlainHttp implements Closeable {
  /**
   * What the server answered.
   *
   * @param status the final status code
   * @param headers lower-case names to their values in order of arrival
   */
  record Answer(int status, Map<String, List<String>> headers) {}

  /**
   * A pipelined request ({@link #write}, {@link #read}) failed before any byte of its answer, on a
   * connection that had answered before, without a stall or {@link #abort()}: most likely the
   * server closed the kept-alive connection (while idle, or after an answer without saying so), so
   * this is not the server failing the request, which may go again on a new connection.
   */
  static final class ClosedUnansweredException extends IOException {
    ClosedUnansweredException(IOException cause) {
      super("the connection closed before an answer: " + cause.getMessage(), cause);
    }
  }

  private static final int MAX_HEAD = 16 * 1024;
  private static final int MAX_DROPPED_BODY = 64 * 1024;
  private static final long SLICE = 1 << 20;

  /** Opens a connection to an upload server. */
  @FunctionalInterface
  interface Opener {
    /** A new connection to {@code url}'s origin, whose opening {@code abort} ends at once. */
    ClientWire open(URI url, ConnectAbort abort) throws IOException;
  }

  private final URI origin;
  private final String hostHeader;
  private final Opener opener;
  private final Duration stallTimeout;
  private ClientWire channel;
  /**
   * The connection's input, buffered: a response head is parsed byte by byte. Kept with the
   * connection, since a read may take bytes of the next response.
   */
  private InputStream input;
  private volatile ClientWire inUse;
  private volatile long lastProgressNanos;
  /** Whether the request in flight got a first response byte. */
  private boolean answered;
  /** Set when the watchdog closed a send that made no progress. */
  private volatile boolean stalled;
  /** Set by {@link #abort()}: no more attempts. */
  private volatile boolean aborted;
  /**
   * Ends a connection still being opened: until it is, there is no {@link #inUse} to close, and
   * its TCP connect, proxy exchange or TLS handshake would run until the connect timeout.
   */
  private final ConnectAbort opening = new ConnectAbort();
  /** Requests written on the connection whose answers were not read yet. */
  private int unanswered;
  /** Whether an answer was read on the current connection. */
  private boolean answeredBefore;
  /** Bumped by each use of the connection: a watchdog of an earlier use then ends. */
  private volatile long use;

  /**
   * A sender to {@code url}'s origin (every request it sends must be to that origin).
   *
   * @param opener opens its connections
   * @param stallTimeout a send or a wait for the answer without progress for this long fails
   */
  PlainHttp(URI url, Opener opener, Duration stallTimeout) {
    this.origin = url;
    this.hostHeader = (url.getRawAuthority().contains("@")
        ? url.getRawAuthority().substring(url.getRawAuthority().lastIndexOf('@') + 1)
        : url.getRawAuthority());
    this.opener = opener;
    this.stallTimeout = stallTimeout;
  }

  /**
   * Sends {@code method url} with {@code headers} and, when {@code file} is not null,
   * {@code length} bytes of it from {@code position} as the body; reads the response head.
   * {@code url} must have this sender's scheme, host and port.
   *
   * @throws IOException when the connection fails, stalls, is aborted, or the answer is not HTTP
   */
  Answer send(String method, URI url, Map<String, String> headers, FileChannel file, long position,
      long length) throws IOException {
    return send(method, url, headers, file, position, length, null);
  }

  /**
   * {@link #send(String, URI, Map, FileChannel, long, long)}, running {@code afterBody} (if not
   * null) once the body is handed to the network and before the answer is read: work that then
   * overlaps with the server's handling of the request. It may run twice if the request is sent
   * again on a new connection.
   */
  Answer send(String method, URI url, Map<String, String> headers, FileChannel file, long position,
      long length, Runnable afterBody) throws IOException {
    boolean reused = channel != null && channel.isOpen() && unanswered == 0;
    try {
      return sendOnce(method, url, headers, file, position, length, afterBody);
    } catch (IOException e) {
      // A kept-alive connection the server closed while idle fails before any answer: that is
      // not the server failing this request, so try once more on a new connection.
      if (reused && !answered && !aborted && !stalled) {
        return sendOnce(method, url, headers, file, position, length, afterBody);
      }
      throw e;
    }
  }

  private Answer sendOnce(String method, URI url, Map<String, String> headers, FileChannel file,
      long position, long length, Runnable afterBody) throws IOException {
    answered = false;
    stalled = false;
    if (unanswered > 0) {
      closeChannel(); // answers of pipelined requests still due: this one would read theirs
    }
    ClientWire ch = connection();
    boolean keep = false;
    try {
      begin(ch);
      writeRequest(ch, method, url, headers, file, position, length);
      if (afterBody != null) {
        afterBody.run();
        lastProgressNanos = System.nanoTime(); // the wait for the answer starts now
      }
      Response r = readResponse(method.equals("HEAD"));
      ch.checkAnswer(r.status);
      keep = r.keepAlive;
      return new Answer(r.status, r.headers);
    } finally {
      inUse = null;
      if (!keep) {
        closeChannel();
      }
    }
  }

  /**
   * Writes a request ({@code file} as in {@link #send}) without reading its answer: read it later
   * with {@link #read}, after the answers of the requests written before it. A failure closes the
   * connection (the requests written before it are lost too).
   *
   * @throws IOException when the connection fails, stalls or is aborted
   */
  void write(String method, URI url, Map<String, String> headers, FileChannel file, long position,
      long length) throws IOException {
    stalled = false;
    ClientWire ch = connection();
    boolean warm = answeredBefore;
    boolean ok = false;
    try {
      begin(ch);
      writeRequest(ch, method, url, headers, file, position, length);
      unanswered++;
      ok = true;
    } catch (IOException e) {
      throw warm && !aborted && !stalled ? new ClosedUnansweredException(e) : e;
    } finally {
      inUse = null;
      if (!ok) {
        closeChannel();
      }
    }
  }

  /**
   * Reads the answer to the oldest request {@link #write} sent whose answer was not read.
   *
   * @param head whether that request was a {@code HEAD}
   * @throws IOException when none is due, or the connection fails, stalls or is aborted (the
   *     connection is then closed)
   */
  Answer read(boolean head) throws IOException {
    ClientWire ch = channel;
    if (ch == null || unanswered == 0) {
      throw new IOException("no request on this connection awaits an answer");
    }
    stalled = false;
    answered = false;
    boolean warm = answeredBefore;
    boolean keep = false;
    try {
      begin(ch);
      Response r = readResponse(head);
      unanswered--;
      ch.checkAnswer(r.status);
      keep = r.keepAlive;
      return new Answer(r.status, r.headers);
    } catch (IOException e) {
      throw warm && !answered && !aborted && !stalled ? new ClosedUnansweredException(e) : e;
    } finally {
      inUse = null;
      if (!keep) {
        closeChannel();
      }
    }
  }

  /** Requests written with {@link #write} whose answers are still to be read (0 once closed). */
  int unanswered() {
    return unanswered;
  }

  /**
   * Whether the connection is open, has answered before, and owes no answer: pipelining may start.
   * Never through an http proxy that forwards the requests (it might not keep their order).
   */
  boolean warm() {
    return channel != null && channel.isOpen() && !channel.forwardedByProxy() && answeredBefore
        && unanswered == 0;
  }

  /** Marks {@code ch} in use from now, watched for stalls; fails once {@link #abort()} was called. */
  private void begin(ClientWire ch) throws IOException {
    // In use first, then the check: an abort() in between sees ch and closes it, one before is
    // seen here (both fields volatile).
    inUse = ch;
    if (aborted) {
      throw new IOException("aborted");
    }
    lastProgressNanos = System.nanoTime();
    watch(ch, ++use);
  }

  private void writeRequest(ClientWire ch, String method, URI url, Map<String, String> headers,
      FileChannel file, long position, long length) throws IOException {
    StringBuilder head = new StringBuilder(512);
    String target = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    if (url.getRawQuery() != null) {
      target += "?" + url.getRawQuery();
    }
    if (ch.forwardedByProxy()) {
      // Absolute form for the http proxy (RFC 9112 section 3.2.2), never with user info.
      target = url.getScheme().toLowerCase(Locale.ROOT) + "://" + hostHeader + target;
    }
    head.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ").append(hostHeader).append("\r\n");
    String proxyLogin = ch.proxyAuthorization();
    if (proxyLogin != null) {
      head.append("Proxy-Authorization: ").append(proxyLogin).append("\r\n");
    }
    for (Map.Entry<String, String> h : headers.entrySet()) {
      head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    if (file != null || method.equals("POST")) {
      head.append("Content-Length: ").append(file == null ? 0 : length).append("\r\n");
    }
    head.append("\r\n");
    ByteBuffer hb = ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    ch.write(hb, stallTimeout);
    long sent = 0;
    while (file != null && sent < length) {
      long n = ch.sendFile(file, position + sent, Math.min(SLICE, length - sent), stallTimeout);
      if (n <= 0) {
        throw new IOException("file shrank while uploading (at " + (position + sent) + ")");
      }
      sent += n;
      lastProgressNanos = System.nanoTime();
    }
  }

  /**
   * Ends a send in progress from another thread (its {@link #send} then throws), also one whose
   * connection is still being opened (TCP, proxy, TLS handshake); later sends fail at once.
   */
  void abort() {
    aborted = true;
    opening.abort();
    ClientWire ch = inUse;
    if (ch != null) {
      ch.close(); // the sender sees the closed connection either way
    }
  }

  @Override
  public void close() {
    closeChannel();
  }

  private ClientWire connection() throws IOException {
    if (channel != null && channel.isOpen()) {
      return channel;
    }
    ClientWire ch = opener.open(origin, opening);
    channel = ch;
    // Reads wait at most the stall timeout; sends are also watched by watch().
    input = ch.input(stallTimeout);
    unanswered = 0;
    answeredBefore = false;
    return ch;
  }

  private void closeChannel() {
    ClientWire ch = channel;
    channel = null;
    input = null;
    unanswered = 0;
    answeredBefore = false;
    if (ch != null) {
      ch.close();
    }
  }

  /** Closes {@code ch} if its use number {@code n} makes no progress for the stall timeout. */
  private void watch(ClientWire ch, long n) {
    long period = Math.max(100, stallTimeout.toMillis() / 4);
    CompletableFuture.delayedExecutor(period, TimeUnit.MILLISECONDS).execute(() -> {
      if (inUse != ch || use != n) {
        return; // that use is over
      }
      if (System.nanoTime() - lastProgressNanos > stallTimeout.toNanos()) {
        stalled = true;
        ch.close(); // the sender sees the closed connection either way
      } else {
        watch(ch, n);
      }
    });
  }

  private record Response(int status, Map<String, List<String>> headers, boolean keepAlive) {}

  private Response readResponse(boolean head) throws IOException {
    InputStream in = input;
    while (true) {
      Response r = parse(readHead(in));
      lastProgressNanos = System.nanoTime();
      answeredBefore = true;
      if (r.status >= 100 && r.status < 200) {
        continue; // an interim response: the final one follows
      }
      long bodyLength = head || r.status == 204 || r.status == 304 ? 0 : contentLength(r.headers);
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
      return new Response(r.status, r.headers, keep);
    }
  }

  private String readHead(InputStream in) throws IOException {
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
      answered = true;
      if (len == buf.length) {
        throw new IOException("response head longer than " + MAX_HEAD + " bytes");
      }
      buf[len++] = (byte) c;
      if (len >= 4 && buf[len - 4] == '\r' && buf[len - 3] == '\n' && buf[len - 2] == '\r' && buf[len - 1] == '\n') {
        return new String(buf, 0, len - 4, StandardCharsets.ISO_8859_1);
      }
    }
  }

  /** Status, headers and whether the connection may stay open, from a response head. */
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
    Map<String, List<String>> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      int colon = line.indexOf(':');
      if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        throw new IOException("bad header line in the response");
      }
      String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      if (name.equals("connection") && value.toLowerCase(Locale.ROOT).contains("close")) {
        keep = false;
      } else if (name.equals("transfer-encoding")) {
        keep = false; // a framed body this class does not read: do not reuse the connection
      }
    }
    return new Response(code, headers, keep);
  }

  /**
   * The Content-Length; -1 when absent (the body then runs to the end of the connection) or
   * unusable (several, or not a number).
   */
  private static long contentLength(Map<String, List<String>> headers) {
    List<String> v = headers.get("content-length");
    return v == null || v.size() != 1 ? -1 : Headers.parseLength(v.get(0));
  }
}
