package dev.rget.core.transport;

import static dev.rget.core.transport.h2.Http2Frames.CONTINUATION;
import static dev.rget.core.transport.h2.Http2Frames.DATA;
import static dev.rget.core.transport.h2.Http2Frames.FLAG_ACK;
import static dev.rget.core.transport.h2.Http2Frames.FLAG_END_HEADERS;
import static dev.rget.core.transport.h2.Http2Frames.FLAG_END_STREAM;
import static dev.rget.core.transport.h2.Http2Frames.FLAG_PADDED;
import static dev.rget.core.transport.h2.Http2Frames.FLAG_PRIORITY;
import static dev.rget.core.transport.h2.Http2Frames.GOAWAY;
import static dev.rget.core.transport.h2.Http2Frames.HEADERS;
import static dev.rget.core.transport.h2.Http2Frames.HEADER_LENGTH;
import static dev.rget.core.transport.h2.Http2Frames.PING;
import static dev.rget.core.transport.h2.Http2Frames.PRIORITY;
import static dev.rget.core.transport.h2.Http2Frames.PUSH_PROMISE;
import static dev.rget.core.transport.h2.Http2Frames.RST_STREAM;
import static dev.rget.core.transport.h2.Http2Frames.SETTINGS;
import static dev.rget.core.transport.h2.Http2Frames.WINDOW_UPDATE;

import dev.rget.core.transport.h2.HeaderField;
import dev.rget.core.transport.h2.HpackDecoder;
import dev.rget.core.transport.h2.HpackEncoder;
import dev.rget.core.transport.h2.Http2ErrorCode;
import dev.rget.core.transport.h2.Http2Exception;
import dev.rget.core.transport.h2.Http2Frames;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One HTTP/2 connection (RFC 9113) over TLS: many requests at once, each a stream.
 *
 * <p>A reader of its own (a task on the transport's executor, for the connection's lifetime)
 * owns the receiving side: it parses every frame, answers PING and
 * SETTINGS, keeps the HPACK table, and puts each stream's head and body bytes into that
 * {@link Http2Stream}, where the engine's workers take them. One reader rather than the workers
 * taking turns: frames for all streams arrive interleaved on one socket, so a worker reading for
 * itself would have to read (and buffer) for the others anyway, and PINGs and SETTINGS must be
 * answered even when no worker is waiting. The reader never waits on a worker: a stream's bytes
 * are bounded by its flow-control window, so a slow worker slows only its own stream.
 *
 * <p>Flow control is sized not to be the limit: each stream may have {@link #STREAM_WINDOW} bytes
 * in flight and the connection {@link #CONNECTION_WINDOW}; window is given back as workers take
 * the bytes, so memory stays bounded by those windows whatever the server does.
 *
 * <p>Every byte from the server is checked: frame sizes against our SETTINGS_MAX_FRAME_SIZE,
 * header blocks (HEADERS and CONTINUATION together) against {@link #MAX_HEADER_BLOCK} and a
 * count of frames, DATA against both windows and Content-Length; any breach ends the stream or
 * the connection with an error that names it, and every open stream then fails, never ends short.
 */
final class Http2Connection {
  /** Bytes in flight per stream: several MiB, so one stream alone can fill a fast long link. */
  static final int STREAM_WINDOW = 4 << 20;
  /** Bytes in flight on the whole connection (and at most buffered by it). */
  static final int CONNECTION_WINDOW = 32 << 20;
  /** Our SETTINGS_MAX_FRAME_SIZE: the default, so we do not announce it. */
  static final int MAX_FRAME = Http2Frames.DEFAULT_MAX_FRAME_SIZE;
  /** Largest header block (HEADERS + CONTINUATION payloads, and decoded list size). */
  static final int MAX_HEADER_BLOCK = 64 * 1024;
  /** Most frames in one header block: a legitimate 64 KiB block needs 5. */
  static final int MAX_HEADER_FRAMES = 16;
  /** Our SETTINGS_HEADER_TABLE_SIZE: the default, so we do not announce it. */
  static final int HEADER_TABLE_SIZE = 4096;
  private static final int READ_BUFFER = 128 * 1024;
  private static final Duration GOODBYE_TIMEOUT = Duration.ofSeconds(1);

  private final TlsWire wire;
  private final String origin;
  private final Duration writeTimeout;
  private final ChunkPool pool;
  private final int maxStreamsOwn;
  private final Selector readSelector;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Map<Integer, Http2Stream> streams = new ConcurrentHashMap<>();
  private final HpackDecoder hpack = new HpackDecoder(HEADER_TABLE_SIZE, MAX_HEADER_BLOCK);
  private final CountDownLatch settingsReceived = new CountDownLatch(1);
  /** What the server may still send on the connection (decreased by the reader). */
  private final AtomicLong connectionWindow = new AtomicLong(CONNECTION_WINDOW);
  /** Bytes taken or dropped but not yet given back to the server as connection window. */
  private final AtomicLong unacknowledged = new AtomicLong();

  // Guarded by this.
  private int nextStreamId = 1;
  private int reserved;
  private long peerMaxStreams = Long.MAX_VALUE;
  private boolean goingAway;
  private IOException failure;
  private volatile int highestStream;

  // Reader thread only.
  private final ByteBuffer in = ByteBuffer.allocateDirect(READ_BUFFER);
  private int blockStream;
  private boolean blockEndsStream;
  private int blockFrames;
  private int blockLength;
  private final byte[] block = new byte[MAX_HEADER_BLOCK];

  private Http2Connection(TlsWire wire, String origin, Duration writeTimeout, ChunkPool pool,
      int maxStreamsOwn) throws IOException {
    this.wire = wire;
    this.origin = origin;
    this.writeTimeout = writeTimeout;
    this.pool = pool;
    this.maxStreamsOwn = maxStreamsOwn;
    // The reader waits on a selector of its own: the socket's own selector is left to writers
    // waiting for room, so the two never change each other's interest.
    this.readSelector = Selector.open();
    wire.socket().channel.register(readSelector, SelectionKey.OP_READ);
    in.limit(0);
  }

  /**
   * Starts HTTP/2 on a TLS connection whose server chose {@code h2}: sends the preface, our
   * SETTINGS and the connection window, and waits for the server's SETTINGS (which say how many
   * streams it takes) within {@code timeout}. The reader runs on {@code executor} until the
   * connection ends.
   */
  static Http2Connection start(TlsWire wire, String origin, Duration timeout,
      Duration writeTimeout, ChunkPool pool, int maxStreamsOwn, Executor executor)
      throws IOException {
    Http2Connection c = new Http2Connection(wire, origin, writeTimeout, pool, maxStreamsOwn);
    try {
      ByteBuffer settings = ByteBuffer.allocate(Http2Frames.PREFACE.length + HEADER_LENGTH + 18
          + HEADER_LENGTH + 4);
      settings.put(Http2Frames.PREFACE);
      Http2Frames.putHeader(settings, 18, SETTINGS, 0, 0);
      settings.putShort((short) Http2Frames.SETTINGS_ENABLE_PUSH).putInt(0);
      settings.putShort((short) Http2Frames.SETTINGS_INITIAL_WINDOW_SIZE).putInt(STREAM_WINDOW);
      settings.putShort((short) Http2Frames.SETTINGS_MAX_HEADER_LIST_SIZE)
          .putInt(MAX_HEADER_BLOCK);
      Http2Frames.putHeader(settings, 4, WINDOW_UPDATE, 0, 0);
      settings.putInt(CONNECTION_WINDOW - Http2Frames.DEFAULT_WINDOW);
      c.write(settings.flip());
      try {
        executor.execute(c::readLoop);
      } catch (RejectedExecutionException e) {
        throw new IOException("the executor refused the HTTP/2 reader of " + origin + ": " + e, e);
      }
      if (!c.settingsReceived.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new StallException("no HTTP/2 SETTINGS from " + origin + " within "
            + timeout.toSeconds() + " s");
      }
      synchronized (c) {
        if (c.failure != null) {
          throw new IOException(c.failure.getMessage(), c.failure);
        }
      }
      return c;
    } catch (InterruptedException e) {
      c.fail(new IOException("interrupted"));
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while starting HTTP/2");
    } catch (IOException | RuntimeException e) {
      c.fail(e instanceof IOException io ? io : new IOException(e.toString(), e));
      throw e;
    }
  }

  ChunkPool pool() {
    return pool;
  }

  int streamWindow() {
    return STREAM_WINDOW;
  }

  /** Whether the connection is alive and takes new streams at all. */
  synchronized boolean usable() {
    return failure == null && !goingAway;
  }

  /** Takes a stream slot if the server's (and our own) limit on open streams allows one. */
  synchronized boolean tryReserve() {
    if (failure != null || goingAway || reserved >= Math.min(peerMaxStreams, maxStreamsOwn)) {
      return false;
    }
    reserved++;
    return true;
  }

  private synchronized void release() {
    reserved--;
    if (goingAway && reserved == 0 && failure == null) {
      // The server asked us to leave and nothing is left to finish.
      failure = new IOException("HTTP/2 connection to " + origin + " closed after GOAWAY");
      closeQuietly();
    }
  }

  // ------------------------------------------------------------------ requests

  /**
   * Sends a request on a slot taken with {@link #tryReserve()} and waits for its response head.
   */
  Http2Stream exchange(TransportRequest request, List<HeaderField> fields, Duration headerTimeout)
      throws IOException {
    byte[] headerBlock = HpackEncoder.encode(fields);
    Http2Stream s;
    writeLock.lock();
    try {
      int id;
      synchronized (this) {
        if (failure != null || goingAway) {
          reserved--;
          throw new IOException("HTTP/2 connection to " + origin + " no longer takes requests"
              + (failure != null ? ": " + failure.getMessage() : ""));
        }
        id = nextStreamId;
        nextStreamId += 2;
        if (nextStreamId < 0) {
          goingAway = true; // stream ids used up: later requests go to a new connection
        }
      }
      s = new Http2Stream(this, id, request, STREAM_WINDOW);
      streams.put(id, s);
      highestStream = id;
      try {
        writeHeaders(id, headerBlock);
      } catch (IOException e) {
        streamGone(s);
        fail(e);
        throw e;
      }
    } finally {
      writeLock.unlock();
    }
    try {
      s.awaitHead(headerTimeout);
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** HEADERS, and CONTINUATIONs when the block exceeds a frame; caller holds the write lock. */
  private void writeHeaders(int id, byte[] headerBlock) throws IOException {
    int off = 0;
    int type = HEADERS;
    do {
      int n = Math.min(MAX_FRAME, headerBlock.length - off);
      boolean last = off + n == headerBlock.length;
      int flags = (type == HEADERS ? FLAG_END_STREAM : 0) | (last ? FLAG_END_HEADERS : 0);
      ByteBuffer f = ByteBuffer.allocate(HEADER_LENGTH + n);
      Http2Frames.putHeader(f, n, type, flags, id);
      f.put(headerBlock, off, n).flip();
      wire.writeFully(f, writeTimeout);
      off += n;
      type = CONTINUATION;
    } while (off < headerBlock.length);
  }

  /**
   * A worker took {@code bytes} from a stream: give the connection window back in large steps,
   * and the stream's when it reached its step ({@code streamCredit} &gt; 0).
   */
  void consumed(Http2Stream s, long bytes, long streamCredit) {
    try {
      if (streamCredit > 0) {
        write(Http2Frames.frame(WINDOW_UPDATE, 0, s.id, (int) streamCredit));
      }
      creditConnection(bytes);
    } catch (IOException e) {
      // The stream and all others learn of it through the failure on their next read.
      fail(e);
    }
  }

  private void creditConnection(long bytes) throws IOException {
    if (bytes <= 0) {
      return;
    }
    long pending = unacknowledged.addAndGet(bytes);
    if (pending >= CONNECTION_WINDOW / 2 && unacknowledged.compareAndSet(pending, 0)) {
      connectionWindow.addAndGet(pending);
      write(Http2Frames.frame(WINDOW_UPDATE, 0, 0, (int) pending));
    }
  }

  /** A worker closed a stream; before its end, the server is told to stop sending it. */
  void closed(Http2Stream s, boolean cancel, long droppedBytes) {
    boolean wasOpen = streamGone(s);
    try {
      if (cancel && wasOpen) {
        write(Http2Frames.frame(RST_STREAM, 0, s.id, Http2ErrorCode.CANCEL.code()));
      }
      creditConnection(droppedBytes);
    } catch (IOException e) {
      fail(e);
    }
  }

  /** Forgets a stream and frees its slot, once; false if it was already gone. */
  private boolean streamGone(Http2Stream s) {
    if (streams.remove(s.id, s)) {
      release();
      return true;
    }
    return false;
  }

  private void write(ByteBuffer frame) throws IOException {
    writeLock.lock();
    try {
      wire.writeFully(frame, writeTimeout);
    } finally {
      writeLock.unlock();
    }
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Ends the connection because of {@code cause}: every open stream fails with it (after the
   * bytes it already has), and no new stream starts. A connection error is told to the server
   * in a GOAWAY first.
   */
  void fail(IOException cause) {
    List<Http2Stream> open;
    synchronized (this) {
      if (failure != null) {
        return;
      }
      failure = cause;
      open = new ArrayList<>(streams.values());
    }
    if (cause instanceof Http2Exception h && h.isConnectionError()) {
      goodbye(h.code());
    }
    IOException forStreams = cause instanceof StallException ? cause
        : new IOException("HTTP/2 connection to " + origin + " failed: " + cause.getMessage(),
            cause);
    for (Http2Stream s : open) {
      s.fail(forStreams);
    }
    closeQuietly();
  }

  /** Closes the connection, telling the server with a GOAWAY (NO_ERROR); never throws. */
  void close() {
    synchronized (this) {
      if (failure == null) {
        goodbye(Http2ErrorCode.NO_ERROR);
      }
    }
    fail(new IOException("connection closed by the client"));
  }

  private void goodbye(Http2ErrorCode code) {
    // Best effort: a writer stuck on a full socket must not hold up the shutdown.
    try {
      if (writeLock.tryLock(100, TimeUnit.MILLISECONDS)) {
        try {
          ByteBuffer f = ByteBuffer.allocate(HEADER_LENGTH + 8);
          Http2Frames.putHeader(f, 8, GOAWAY, 0, 0);
          f.putInt(0).putInt(code.code()).flip();
          wire.writeFully(f, GOODBYE_TIMEOUT);
        } finally {
          writeLock.unlock();
        }
      }
    } catch (IOException e) {
      // the server goes without our goodbye; the socket is closed all the same
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeQuietly() {
    try {
      readSelector.close();
    } catch (IOException e) {
      // closing: the socket below is closed whatever happens here
    }
    wire.close();
  }

  // ------------------------------------------------------------------ reader

  private void readLoop() {
    try {
      while (true) {
        while (oneFrame()) {
          // frames already received are handled before reading more
        }
        in.compact();
        int n;
        try {
          n = wire.read(in);
        } finally {
          in.flip();
        }
        if (n < 0) {
          throw new EOFException("the server closed the connection");
        }
        if (n == 0) {
          readSelector.selectedKeys().clear();
          readSelector.select(1000);
          if (!readSelector.isOpen()) {
            return;
          }
        }
      }
    } catch (ClosedSelectorException e) {
      fail(new IOException("connection closed"));
    } catch (IOException e) {
      fail(e);
    } catch (RuntimeException e) {
      fail(new IOException("HTTP/2 reader failed: " + e, e));
    }
  }

  /** Handles one whole frame from {@link #in}; false if it has not fully arrived yet. */
  private boolean oneFrame() throws IOException {
    if (in.remaining() < HEADER_LENGTH) {
      return false;
    }
    int p = in.position();
    int length = ((in.get(p) & 0xff) << 16) | ((in.get(p + 1) & 0xff) << 8) | (in.get(p + 2) & 0xff);
    int type = in.get(p + 3) & 0xff;
    int flags = in.get(p + 4) & 0xff;
    int stream = in.getInt(p + 5) & 0x7fffffff;
    if (length > MAX_FRAME) {
      throw Http2Exception.connection(Http2ErrorCode.FRAME_SIZE_ERROR, Http2Frames.typeName(type)
          + " frame of " + length + " bytes, above our maximum of " + MAX_FRAME);
    }
    if (in.remaining() < HEADER_LENGTH + length) {
      return false;
    }
    ByteBuffer payload = in.slice(p + HEADER_LENGTH, length);
    in.position(p + HEADER_LENGTH + length);
    if (blockFrames > 0 && (type != CONTINUATION || stream != blockStream)) {
      throw protocol(Http2Frames.typeName(type) + " in the middle of a header block");
    }
    switch (type) {
      case DATA -> onData(payload, flags, stream);
      case HEADERS -> onHeaders(payload, flags, stream);
      case CONTINUATION -> onContinuation(payload, flags, stream);
      case PRIORITY -> { } // deprecated (RFC 9113 5.3.2): ignored
      case RST_STREAM -> onReset(payload, stream);
      case SETTINGS -> onSettings(payload, flags, stream);
      case PUSH_PROMISE -> throw protocol("PUSH_PROMISE although push is disabled");
      case PING -> onPing(payload, flags, stream);
      case GOAWAY -> onGoaway(payload, stream);
      case WINDOW_UPDATE -> onWindowUpdate(payload, stream);
      default -> { } // unknown frame types are ignored (RFC 9113 4.1)
    }
    return true;
  }

  private void onData(ByteBuffer payload, int flags, int stream) throws IOException {
    if (stream == 0) {
      throw protocol("DATA on stream 0");
    }
    int length = payload.remaining();
    if (connectionWindow.addAndGet(-length) < 0) {
      throw Http2Exception.connection(Http2ErrorCode.FLOW_CONTROL_ERROR,
          "the server sent DATA beyond the connection's flow-control window");
    }
    ByteBuffer data = unpad(payload, flags, "DATA");
    Http2Stream s = streams.get(stream);
    if (s == null) {
      if (stream > highestStream || stream % 2 == 0) {
        throw protocol("DATA on stream " + stream + ", which was never opened");
      }
      creditConnection(length); // a stream we closed: its late bytes are dropped
      return;
    }
    boolean end = (flags & FLAG_END_STREAM) != 0;
    int padding = length - data.remaining();
    boolean kept;
    try {
      kept = s.onData(data, length, end, pool);
    } catch (Http2Exception e) {
      creditConnection(length);
      streamError(s, e);
      return;
    }
    if (!kept) {
      creditConnection(length);
    } else if (padding > 0) {
      creditConnection(padding);
    }
    if (kept && end) {
      streamGone(s);
    }
  }

  private void onHeaders(ByteBuffer payload, int flags, int stream) throws IOException {
    if (stream == 0 || stream % 2 == 0 || stream > highestStream) {
      throw protocol("HEADERS on stream " + stream + ", which we never opened");
    }
    ByteBuffer fragment = unpad(payload, flags, "HEADERS");
    if ((flags & FLAG_PRIORITY) != 0) {
      if (fragment.remaining() < 5) {
        throw protocol("HEADERS too short for its priority fields");
      }
      fragment.position(fragment.position() + 5);
    }
    blockStream = stream;
    blockEndsStream = (flags & FLAG_END_STREAM) != 0;
    blockFrames = 0;
    blockLength = 0;
    appendFragment(fragment, flags);
  }

  private void onContinuation(ByteBuffer payload, int flags, int stream) throws IOException {
    if (blockFrames == 0) {
      throw protocol("CONTINUATION without a header block to continue");
    }
    appendFragment(payload, flags);
  }

  private void appendFragment(ByteBuffer fragment, int flags) throws IOException {
    if (++blockFrames > MAX_HEADER_FRAMES) {
      throw Http2Exception.connection(Http2ErrorCode.ENHANCE_YOUR_CALM,
          "header block in more than " + MAX_HEADER_FRAMES + " frames (CONTINUATION flood)");
    }
    if (fragment.remaining() > MAX_HEADER_BLOCK - blockLength) {
      throw protocol("header block larger than " + MAX_HEADER_BLOCK + " bytes");
    }
    int n = fragment.remaining();
    fragment.get(block, blockLength, n);
    blockLength += n;
    if ((flags & FLAG_END_HEADERS) != 0) {
      blockFrames = 0;
      // Decoded even for a stream we closed: the HPACK table must stay in step.
      List<HeaderField> fields = hpack.decode(block, blockLength);
      Http2Stream s = streams.get(blockStream);
      if (s != null) {
        try {
          if (s.onHeaders(fields, blockEndsStream)) {
            streamGone(s);
          }
        } catch (Http2Exception e) {
          streamError(s, e);
        }
      }
    }
  }

  /** The payload without its padding, for a frame with the PADDED flag. */
  private static ByteBuffer unpad(ByteBuffer payload, int flags, String type)
      throws Http2Exception {
    if ((flags & FLAG_PADDED) == 0) {
      return payload;
    }
    if (!payload.hasRemaining()) {
      throw protocol(type + " with PADDED flag but no pad length");
    }
    int pad = payload.get() & 0xff;
    if (pad > payload.remaining()) {
      throw protocol(type + " padding longer than the frame");
    }
    return payload.slice(payload.position(), payload.remaining() - pad);
  }

  private void onReset(ByteBuffer payload, int stream) throws IOException {
    if (stream == 0) {
      throw protocol("RST_STREAM on stream 0");
    }
    if (payload.remaining() != 4) {
      throw Http2Exception.connection(Http2ErrorCode.FRAME_SIZE_ERROR,
          "RST_STREAM of " + payload.remaining() + " bytes");
    }
    long code = payload.getInt() & 0xffffffffL;
    Http2Stream s = streams.get(stream);
    if (s != null && streamGone(s)) {
      s.fail(new IOException(code == Http2ErrorCode.REFUSED_STREAM.code()
          ? "the server refused the HTTP/2 stream (REFUSED_STREAM): not processed, retry"
          : "the server reset the HTTP/2 stream (" + Http2ErrorCode.describe(code) + ")"));
    }
  }

  private void onSettings(ByteBuffer payload, int flags, int stream) throws IOException {
    if (stream != 0) {
      throw protocol("SETTINGS on stream " + stream);
    }
    if ((flags & FLAG_ACK) != 0) {
      if (payload.hasRemaining()) {
        throw Http2Exception.connection(Http2ErrorCode.FRAME_SIZE_ERROR,
            "SETTINGS acknowledgement with a payload");
      }
      return;
    }
    if (payload.remaining() % 6 != 0) {
      throw Http2Exception.connection(Http2ErrorCode.FRAME_SIZE_ERROR,
          "SETTINGS of " + payload.remaining() + " bytes, not a multiple of 6");
    }
    while (payload.hasRemaining()) {
      int id = payload.getShort() & 0xffff;
      long value = payload.getInt() & 0xffffffffL;
      switch (id) {
        case Http2Frames.SETTINGS_ENABLE_PUSH -> {
          if (value != 0) {
            throw protocol("SETTINGS_ENABLE_PUSH " + value + " from a server");
          }
        }
        case Http2Frames.SETTINGS_MAX_CONCURRENT_STREAMS -> {
          synchronized (this) {
            peerMaxStreams = value;
          }
        }
        case Http2Frames.SETTINGS_INITIAL_WINDOW_SIZE -> {
          if (value > Http2Frames.MAX_WINDOW) {
            throw Http2Exception.connection(Http2ErrorCode.FLOW_CONTROL_ERROR,
                "SETTINGS_INITIAL_WINDOW_SIZE " + value + " above 2^31-1");
          }
        }
        case Http2Frames.SETTINGS_MAX_FRAME_SIZE -> {
          if (value < Http2Frames.DEFAULT_MAX_FRAME_SIZE || value > 0xffffff) {
            throw protocol("SETTINGS_MAX_FRAME_SIZE " + value + " out of range");
          }
        }
        default -> { } // header table size: our encoder never indexes; the rest is advisory
      }
    }
    write(Http2Frames.frame(SETTINGS, FLAG_ACK, 0, new byte[0]));
    settingsReceived.countDown();
  }

  private void onPing(ByteBuffer payload, int flags, int stream) throws IOException {
    if (stream != 0) {
      throw protocol("PING on stream " + stream);
    }
    if (payload.remaining() != 8) {
      throw Http2Exception.connection(Http2ErrorCode.FRAME_SIZE_ERROR,
          "PING of " + payload.remaining() + " bytes");
    }
    if ((flags & FLAG_ACK) == 0) {
      byte[] opaque = new byte[8];
      payload.get(opaque);
      write(Http2Frames.frame(PING, FLAG_ACK, 0, opaque));
    }
  }

  private void onGoaway(ByteBuffer payload, int stream) throws IOException {
    if (stream != 0) {
      throw protocol("GOAWAY on stream " + stream);
    }
    if (payload.remaining() < 8) {
      throw Http2Exception.connection(Http2ErrorCode.FRAME_SIZE_ERROR,
          "GOAWAY of " + payload.remaining() + " bytes");
    }
    int last = payload.getInt() & 0x7fffffff;
    String code = Http2ErrorCode.describe(payload.getInt() & 0xffffffffL);
    List<Http2Stream> refused = new ArrayList<>();
    synchronized (this) {
      goingAway = true;
      for (Http2Stream s : streams.values()) {
        if (s.id > last) {
          refused.add(s);
        }
      }
    }
    for (Http2Stream s : refused) {
      if (streamGone(s)) {
        s.fail(new IOException("the server is closing the HTTP/2 connection (GOAWAY " + code
            + "): stream " + s.id + " was not processed, retry"));
      }
    }
    synchronized (this) {
      if (reserved == 0 && failure == null) {
        failure = new IOException("HTTP/2 connection to " + origin + " closed after GOAWAY");
        closeQuietly();
      }
    }
  }

  private void onWindowUpdate(ByteBuffer payload, int stream) throws IOException {
    if (payload.remaining() != 4) {
      throw Http2Exception.connection(Http2ErrorCode.FRAME_SIZE_ERROR,
          "WINDOW_UPDATE of " + payload.remaining() + " bytes");
    }
    int increment = payload.getInt() & 0x7fffffff;
    if (increment == 0) {
      if (stream == 0) {
        throw protocol("WINDOW_UPDATE of 0 on the connection");
      }
      Http2Stream s = streams.get(stream);
      if (s != null) {
        streamError(s, Http2Exception.stream(Http2ErrorCode.PROTOCOL_ERROR,
            "WINDOW_UPDATE of 0"));
      }
    }
    // We send no DATA, so the server's windows for us need no tracking.
  }

  /** Ends one stream: RST_STREAM to the server, the error to the stream's worker. */
  private void streamError(Http2Stream s, Http2Exception e) throws IOException {
    if (streamGone(s)) {
      s.fail(e);
      write(Http2Frames.frame(RST_STREAM, 0, s.id, e.code().code()));
    }
  }

  private static Http2Exception protocol(String message) {
    return Http2Exception.connection(Http2ErrorCode.PROTOCOL_ERROR, message);
  }
}
