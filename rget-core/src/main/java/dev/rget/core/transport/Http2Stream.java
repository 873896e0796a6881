package dev.rget.core.transport;

import dev.rget.core.transport.h2.HeaderField;
import dev.rget.core.transport.h2.Http2ErrorCode;
import dev.rget.core.transport.h2.Http2Exception;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One request on an HTTP/2 connection and its response: the connection's reader thread puts the
 * response head and body bytes in, the engine's worker takes them out with {@link #next}. The
 * bytes waiting here never exceed the stream's flow-control window, because the server may not
 * send more until the worker has taken some and a WINDOW_UPDATE went out.
 */
final class Http2Stream implements TransportResponse {
  private static final int MAX_INFORMATIONAL = 16;
  /** Connection-specific fields, which make an HTTP/2 message malformed (RFC 9113 8.2.2). */
  private static final Set<String> CONNECTION_FIELDS = Set.of("connection", "keep-alive",
      "proxy-connection", "transfer-encoding", "upgrade");

  final int id;
  private final Http2Connection conn;
  private final TransportRequest request;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  // Guarded by lock.
  private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
  private ResponseHead head;
  private int informational;
  private long expectedLength = -1;
  private long received;
  private boolean remoteEnded;
  private boolean closed;
  private IOException failure;
  /** Bytes the server may still send on this stream. */
  private long window;
  /** Bytes taken by the worker but not yet given back to the server as window. */
  private long unacknowledged;

  /** The chunk handed out last: the worker owns it until its next call (worker thread only). */
  private ByteBuffer current;

  Http2Stream(Http2Connection conn, int id, TransportRequest request, long window) {
    this.conn = conn;
    this.id = id;
    this.request = request;
    this.window = window;
  }

  // ------------------------------------------------------------------ reader side

  /**
   * A complete header block for this stream: the response head, an informational response, or
   * trailers.
   *
   * @return whether the stream ended with it
   * @throws Http2Exception a stream error when the block is malformed
   */
  boolean onHeaders(List<HeaderField> fields, boolean endStream) throws Http2Exception {
    lock.lock();
    try {
      if (closed) {
        return endStream;
      }
      if (head != null) {
        // Trailers: allowed only at the end, never with pseudo-headers; their content is unused.
        if (!endStream) {
          throw malformed("a second header block that does not end the stream");
        }
        for (HeaderField f : fields) {
          if (f.name().startsWith(":")) {
            throw malformed("pseudo-header " + f.name() + " in trailers");
          }
        }
        end();
        return true;
      }
      ResponseHead h = parseHead(fields);
      if (h.status() < 200) {
        if (h.status() == 101 || endStream || ++informational > MAX_INFORMATIONAL) {
          throw malformed(h.status() == 101 ? "status 101 is not allowed in HTTP/2"
              : endStream ? "informational response ends the stream"
              : "more than " + MAX_INFORMATIONAL + " informational responses");
        }
        return false;
      }
      long length;
      try {
        length = h.bodyLength();
      } catch (IOException e) {
        throw malformed(e.getMessage());
      }
      boolean noBody = request.method().equals("HEAD") || h.status() == 204
          || h.status() == 304;
      expectedLength = noBody ? -1 : length;
      head = h;
      changed.signalAll();
      if (endStream) {
        end();
      }
      return endStream;
    } finally {
      lock.unlock();
    }
  }

  private static ResponseHead parseHead(List<HeaderField> fields) throws Http2Exception {
    int status = -1;
    boolean regularSeen = false;
    Map<String, List<String>> headers = new HashMap<>();
    for (HeaderField f : fields) {
      String name = f.name();
      if (name.startsWith(":")) {
        if (regularSeen) {
          throw malformed("pseudo-header " + name + " after a regular header");
        }
        if (!name.equals(":status")) {
          throw malformed("pseudo-header " + ResponseHead.abbreviate(name)
              + " in a response");
        }
        if (status >= 0) {
          throw malformed("two :status pseudo-headers");
        }
        status = parseStatus(f.value());
        continue;
      }
      regularSeen = true;
      checkName(name);
      if (CONNECTION_FIELDS.contains(name)) {
        throw malformed("connection-specific header " + name);
      }
      if (headers.size() >= ResponseHead.MAX_FIELDS && !headers.containsKey(name)) {
        throw malformed("more than " + ResponseHead.MAX_FIELDS + " header fields");
      }
      headers.computeIfAbsent(name, n -> Collections.synchronizedList(new ArrayList<>()))
          .add(f.value().strip());
    }
    if (status < 0) {
      throw malformed("response without :status");
    }
    return new ResponseHead(status, false, headers);
  }

  private static int parseStatus(String v) throws Http2Exception {
    if (v.length() != 3 || !v.chars().allMatch(c -> c >= '0' && c <= '9') || v.charAt(0) == '0') {
      throw malformed(":status '" + ResponseHead.abbreviate(v) + "' is not a 3-digit code");
    }
    return Integer.parseInt(v);
  }

  private static void checkName(String name) throws Http2Exception {
    if (name.isEmpty()) {
      throw malformed("empty header name");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c <= ' ' || c >= 0x7f || (c >= 'A' && c <= 'Z') || c == ':') {
        throw malformed("invalid header name '" + ResponseHead.abbreviate(name) + "'");
      }
    }
  }

  /**
   * Body bytes of one DATA frame ({@code frameLength} includes padding, which counts against the
   * window too).
   *
   * @return false if nobody will read them any more (the caller gives them back to the
   *     connection window at once)
   * @throws Http2Exception a stream error: DATA before the head, beyond the window, or beyond
   *     Content-Length
   */
  boolean onData(ByteBuffer data, int frameLength, boolean endStream, ChunkPool pool)
      throws Http2Exception {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      if (head == null) {
        throw malformed("DATA before the response headers");
      }
      window -= frameLength;
      if (window < 0) {
        throw Http2Exception.stream(Http2ErrorCode.FLOW_CONTROL_ERROR,
            "the server sent DATA beyond the stream's flow-control window");
      }
      received += data.remaining();
      if (expectedLength >= 0 && received > expectedLength) {
        throw malformed("body longer than its Content-Length of " + expectedLength);
      }
      append(data, pool);
      if (endStream) {
        end();
      }
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Copies into the last queued chunk if it has room, else into a new one. */
  private void append(ByteBuffer data, ChunkPool pool) {
    if (!data.hasRemaining()) {
      return;
    }
    ByteBuffer tail = chunks.peekLast();
    if (tail == null || tail.remaining() < data.remaining()) {
      tail = pool.take();
      chunks.addLast(tail);
    }
    tail.put(data);
  }

  /** The server ended the stream: with the body length checked against Content-Length. */
  private void end() throws Http2Exception {
    if (expectedLength >= 0 && received != expectedLength) {
      throw malformed("body of " + received + " bytes where Content-Length said "
          + expectedLength);
    }
    remoteEnded = true;
    changed.signalAll();
  }

  /** The stream cannot go on: the worker gets {@code e} once the bytes before it are taken. */
  void fail(IOException e) {
    lock.lock();
    try {
      if (failure == null && !remoteEnded) {
        failure = e;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private static Http2Exception malformed(String message) {
    return Http2Exception.stream(Http2ErrorCode.PROTOCOL_ERROR, message);
  }

  // ------------------------------------------------------------------ worker side

  /** Waits for the final response head. */
  void awaitHead(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (head == null) {
        if (failure != null) {
          throw rethrown(failure);
        }
        if (closed) {
          throw new IOException("response closed");
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new StallException("HTTP/2 response headers not received within "
              + seconds(timeout) + " s");
        }
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for a response");
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ByteBuffer next(Duration stallTimeout) throws IOException {
    if (current != null) {
      conn.pool().give(current);
      current = null;
    }
    ByteBuffer chunk;
    long streamCredit = 0;
    lock.lock();
    try {
      long deadline = System.nanoTime() + stallTimeout.toNanos();
      while (chunks.isEmpty()) {
        if (closed) {
          throw new IOException("response closed");
        }
        if (failure != null) {
          throw rethrown(failure);
        }
        if (remoteEnded) {
          return null;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new StallException("no data for " + seconds(stallTimeout) + " s");
        }
        changed.awaitNanos(left);
      }
      if (closed) {
        throw new IOException("response closed");
      }
      chunk = chunks.pollFirst().flip();
      unacknowledged += chunk.remaining();
      // Window goes back in large steps (half the window), so that WINDOW_UPDATEs stay rare.
      if (!remoteEnded && unacknowledged >= conn.streamWindow() / 2) {
        streamCredit = unacknowledged;
        window += streamCredit;
        unacknowledged = 0;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for data");
    } finally {
      lock.unlock();
    }
    current = chunk;
    conn.consumed(this, chunk.remaining(), streamCredit);
    return chunk;
  }

  /** Whole seconds, or tenths below 10 s, so that a short timeout does not read "0 s". */
  private static String seconds(Duration d) {
    return d.toSeconds() >= 10 ? Long.toString(d.toSeconds())
        : String.format(java.util.Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
  }

  /** A new exception for the caller's stack, naming the same cause. */
  private static IOException rethrown(IOException e) {
    if (e instanceof StallException) {
      return new StallException(e.getMessage());
    }
    return new IOException(e.getMessage(), e);
  }

  @Override
  public void close() {
    List<ByteBuffer> dropped;
    boolean cancel;
    long droppedBytes = 0;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      cancel = !remoteEnded && failure == null;
      dropped = new ArrayList<>(chunks);
      chunks.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    for (ByteBuffer b : dropped) {
      droppedBytes += b.position();
      conn.pool().give(b);
    }
    // The chunk handed out last is not recycled here: its worker may still be writing it.
    conn.closed(this, cancel, droppedBytes);
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
    return head.first(name.toLowerCase(Locale.ROOT));
  }

  @Override
  public List<String> headers(String name) {
    return head.all(name.toLowerCase(Locale.ROOT));
  }
}
