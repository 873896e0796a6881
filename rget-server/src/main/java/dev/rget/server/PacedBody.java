package dev.rget.server;

import dev.rget.core.range.ByteRange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Sends a reply's body at a fixed rate (bytes per second, like nginx {@code limit_rate}): it reads
 * the file in chunks of up to 16 KiB and writes a chunk only when the time elapsed since the start
 * of the body allows it, plus one chunk of burst. Writes also wait for the channel to be writable,
 * so at most the write-buffer high-water mark plus one chunk is ever buffered for a slow client.
 * Confined to the connection's event loop.
 *
 * <p>Only used with a rate limit: then bytes must pass through the process to be paced. Without
 * one, bodies go out zero-copy as file regions.
 */
final class PacedBody {
  private static final int MAX_CHUNK = 16 * 1024;
  private static final int MIN_CHUNK = 512;
  private static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final ChannelHandlerContext ctx;
  private final Reply reply;
  private final double bytesPerNano;
  private final Exchange exchange;
  private final Consumer<Boolean> done;
  private final int chunk;
  private long startNanos;
  private int index;
  private long offset;
  private long sent;
  private boolean timerPending;
  private boolean finished;

  /**
   * @param done called once on the event loop with whether the whole body (and the end of the
   *     message) was written
   */
  PacedBody(ChannelHandlerContext ctx, Reply reply, long bytesPerSecond, Exchange exchange,
      Consumer<Boolean> done) {
    this.ctx = ctx;
    this.reply = reply;
    this.bytesPerNano = bytesPerSecond / 1e9;
    this.exchange = exchange;
    this.done = done;
    this.chunk = (int) Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, bytesPerSecond / 16));
  }

  void start() {
    startNanos = System.nanoTime();
    pump();
  }

  /** Writes as much as the rate and the channel's writability allow; called again by the timer
   * and when the channel becomes writable. */
  void pump() {
    while (!finished) {
      if (index == reply.body.size()) {
        finished = true;
        reply.releaseFile();
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> done.accept(f.isSuccess()));
        return;
      }
      if (!ctx.channel().isWritable()) {
        return; // channelWritabilityChanged calls pump again
      }
      Object piece = reply.body.get(index);
      long pieceLength = piece instanceof byte[] b ? b.length : ((ByteRange) piece).length();
      int n = (int) Math.min(chunk, pieceLength - offset);
      long now = System.nanoTime();
      long allowance = chunk + (long) ((now - startNanos) * bytesPerNano);
      if (sent + n > allowance) {
        waitFor(sent + n - chunk, now);
        return;
      }
      ByteBuf buf;
      if (piece instanceof byte[] b) {
        buf = Unpooled.wrappedBuffer(b, (int) offset, n);
      } else {
        buf = ctx.alloc().ioBuffer(n);
        try {
          long position = ((ByteRange) piece).first() + offset;
          while (buf.readableBytes() < n) {
            int read = buf.writeBytes(reply.file.channel(), position + buf.readableBytes(),
                n - buf.readableBytes());
            if (read < 0) {
              throw new IOException("file shrank while being sent");
            }
          }
        } catch (IOException e) {
          buf.release();
          abort();
          ctx.close();
          return;
        }
      }
      final int written = n;
      ctx.writeAndFlush(buf).addListener(f -> {
        if (f.isSuccess()) {
          exchange.bodyBytes += written;
        } else {
          abort();
        }
      });
      sent += n;
      offset += n;
      if (offset == pieceLength) {
        index++;
        offset = 0;
      }
    }
  }

  /** Schedules {@link #pump()} for when {@code bytes} are allowed past the burst. */
  private void waitFor(long bytes, long now) {
    if (timerPending) {
      return;
    }
    timerPending = true;
    long due = startNanos + (long) Math.ceil(bytes / bytesPerNano);
    long wait = Math.max(MIN_WAIT_NANOS, due - now);
    ctx.executor().schedule(() -> {
      timerPending = false;
      pump();
    }, wait, TimeUnit.NANOSECONDS);
  }

  /** Stops sending (the connection failed or closed); idempotent. */
  void abort() {
    if (finished) {
      return;
    }
    finished = true;
    reply.releaseFile();
    done.accept(false);
  }
}
