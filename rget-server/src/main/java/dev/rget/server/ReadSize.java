package dev.rget.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * How much one connection reads at a time: at most {@link Limits#MAX_READ} while request heads are
 * read (that bound is what keeps unparsed input small), and up to {@link Limits#BODY_READ} while an
 * upload body of known length is read, never past that body's end, so the bytes of a request that
 * follows it are still read in small pieces. One instance per connection, set on its channel before
 * the first read; switched on the event loop by {@link UploadExchange}.
 *
 * <p>The channel keeps the handle it got on its first read for good, so the switch is inside the
 * handle: each read loop (one per {@code read()}, auto-read being off) picks its size when it starts.
 */
final class ReadSize implements RecvByteBufAllocator {
  /** The read size for heads: grows from 1 KiB as reads fill up, to {@link Limits#MAX_READ}. */
  private final RecvByteBufAllocator heads =
      new AdaptiveRecvByteBufAllocator(64, 1024, Limits.MAX_READ).maxMessagesPerRead(1);
  /** Body bytes still to come from the socket while a large body is read; 0 otherwise. */
  private long bodyLeft;

  /** Reads large pieces, up to {@code left} bytes in all (the rest of an upload body). */
  void body(long left) {
    bodyLeft = Math.max(0, left);
  }

  /** Back to small reads (the body ended, or was given up). */
  void heads() {
    bodyLeft = 0;
  }

  @Override
  public Handle newHandle() {
    return new Switching(heads.newHandle());
  }

  /** Delegates to the head handle, or reads one body piece, as chosen at {@link #reset}. */
  private final class Switching implements ExtendedHandle {
    private final Handle small;
    private boolean bodyLoop;
    private int lastBytes;
    private int attempted;

    Switching(Handle small) {
      this.small = small;
    }

    @Override
    public void reset(ChannelConfig config) {
      bodyLoop = bodyLeft > 0;
      small.reset(config);
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
      return bodyLoop ? alloc.ioBuffer(guess()) : small.allocate(alloc);
    }

    @Override
    public int guess() {
      return bodyLoop ? (int) Math.min(Limits.BODY_READ, bodyLeft) : small.guess();
    }

    @Override
    public void incMessagesRead(int numMessages) {
      small.incMessagesRead(numMessages);
    }

    @Override
    public void lastBytesRead(int bytes) {
      lastBytes = bytes;
      if (bodyLoop) {
        if (bytes > 0) {
          bodyLeft = Math.max(0, bodyLeft - bytes);
        }
        return; // a body read says nothing about the size of the next head
      }
      small.lastBytesRead(bytes);
    }

    @Override
    public int lastBytesRead() {
      return bodyLoop ? lastBytes : small.lastBytesRead();
    }

    @Override
    public void attemptedBytesRead(int bytes) {
      attempted = bytes;
      small.attemptedBytesRead(bytes);
    }

    @Override
    public int attemptedBytesRead() {
      return bodyLoop ? attempted : small.attemptedBytesRead();
    }

    @Override
    public boolean continueReading() {
      // one read per read(), as for heads: UploadExchange asks for the next once this one is queued
      return !bodyLoop && small.continueReading();
    }

    @Override
    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
      if (bodyLoop) {
        return false;
      }
      return small instanceof ExtendedHandle e ? e.continueReading(maybeMoreDataSupplier) : small.continueReading();
    }

    @Override
    public void readComplete() {
      if (!bodyLoop) {
        small.readComplete();
      }
    }
  }
}
