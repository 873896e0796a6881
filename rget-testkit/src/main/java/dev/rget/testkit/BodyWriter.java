package dev.rget.testkit;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Writes response heads and bodies of one connection, applying the byte-level faults: pacing
 * (rate limits, slow connections), per-response stalls and per-connection drops. Counts payload
 * bytes once {@code write}+{@code flush} have accepted them.
 */
final class BodyWriter {
  /** Largest slice written at once; faults are checked between slices. */
  static final int MAX_SLICE = 64 * 1024;
  /** Largest slice when paced, so the rate is smooth rather than bursty. */
  static final int PACED_SLICE = 16 * 1024;

  /** Thrown after a drop fault ended the connection. */
  static final class Dropped extends IOException {
    Dropped() {
      super("connection dropped by fault");
    }
  }

  private final Socket socket;
  private final long connectionId;
  private final Faults faults;
  private final ServerStats stats;
  private final OutputStream out;

  private long connectionBytes;
  private long nextSendNanos;

  private long responseBytes;
  private boolean stalledThisResponse;
  private long resourceRate;
  private boolean chunked;

  BodyWriter(Socket socket, long connectionId, Faults faults, ServerStats stats)
      throws IOException {
    this.socket = socket;
    this.connectionId = connectionId;
    this.faults = faults;
    this.stats = stats;
    this.out = new BufferedOutputStream(socket.getOutputStream(), MAX_SLICE + 64);
  }

  /** Resets the per-response state. */
  void startResponse() {
    responseBytes = 0;
    stalledThisResponse = false;
    resourceRate = 0;
    chunked = false;
  }

  void head(byte[] head) throws IOException {
    out.write(head);
  }

  void beginBody(long resourceRate, boolean chunked) {
    this.resourceRate = resourceRate;
    this.chunked = chunked;
  }

  /** Payload bytes written for the current response. */
  long responseBytes() {
    return responseBytes;
  }

  /** Writes payload, in slices, honouring faults. */
  void write(byte[] b, int off, int len) throws IOException {
    Faults.Silent silent = faults.silent();
    if (silent != null && len > 0 && responseBytes == 0 && connectionId % silent.everyKth() == 0) {
      out.flush();
      if (!faults.hold(silent)) {
        throw new InterruptedIOException("server closing");
      }
    }
    while (len > 0) {
      Faults.Drop drop = faults.drop();
      if (drop != null && connectionBytes >= drop.afterBytes()) {
        drop(drop.mode());
      }
      Faults.Stall stall = faults.stall();
      if (stall != null && !stalledThisResponse && responseBytes >= stall.afterBytes()) {
        out.flush();
        stalledThisResponse = true;
        if (!faults.stall(stall)) {
          throw new InterruptedIOException("server closing");
        }
        continue;
      }
      long n = Math.min(len, MAX_SLICE);
      if (drop != null) {
        n = Math.min(n, drop.afterBytes() - connectionBytes);
      }
      if (stall != null && !stalledThisResponse) {
        n = Math.min(n, stall.afterBytes() - responseBytes);
      }
      long rate = currentRate();
      if (rate > 0) {
        n = Math.min(n, Math.max(1, Math.min(PACED_SLICE, rate / 20)));
      }
      int slice = (int) n;
      if (chunked) {
        out.write((Integer.toHexString(slice) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b, off, slice);
        out.write('\r');
        out.write('\n');
      } else {
        out.write(b, off, slice);
      }
      out.flush();
      connectionBytes += slice;
      responseBytes += slice;
      stats.bodyBytes(slice);
      off += slice;
      len -= slice;
      if (rate > 0) {
        pace(slice, rate);
      }
    }
  }

  /** Ends the body (chunked terminator) and flushes. */
  void endBody() throws IOException {
    if (chunked) {
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.flush();
  }

  void flush() throws IOException {
    out.flush();
  }

  /** Whether the drop fault's byte budget for this connection is used up. */
  boolean dropDue() {
    Faults.Drop drop = faults.drop();
    return drop != null && connectionBytes >= drop.afterBytes();
  }

  /** Ends the connection as the current drop fault says. */
  void dropNow() throws IOException {
    Faults.Drop drop = faults.drop();
    drop(drop == null ? Faults.DropMode.CLOSE : drop.mode());
  }

  private void drop(Faults.DropMode mode) throws IOException {
    try {
      if (mode == Faults.DropMode.RESET) {
        socket.setSoLinger(true, 0);
      } else {
        out.flush();
      }
    } finally {
      socket.close();
    }
    throw new Dropped();
  }

  private long currentRate() {
    Faults.Slow slow = faults.slow();
    if (slow != null && connectionId % slow.everyKth() == 0) {
      return slow.bytesPerSecond();
    }
    long global = faults.globalRateLimit();
    if (resourceRate > 0 && global > 0) {
      return Math.min(resourceRate, global);
    }
    return Math.max(resourceRate, global);
  }

  /** Token bucket without burst credit: each slice costs len/rate seconds after the previous. */
  private void pace(int len, long rate) throws IOException {
    long now = System.nanoTime();
    if (nextSendNanos < now) {
      nextSendNanos = now;
    }
    nextSendNanos += (long) (len * 1e9 / rate);
    long wait = nextSendNanos - now;
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("server closing");
      }
    }
  }
}
