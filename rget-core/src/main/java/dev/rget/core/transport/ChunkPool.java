package dev.rget.core.transport;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers of one size, recycled: HTTP/2 body bytes are copied out of the connection's read
 * buffer into these and handed to the engine, which writes them to the file from there. Direct,
 * so that the positional write needs no further copy; recycled, because allocating direct memory
 * per frame is slow. At most {@code maxFree} idle buffers are kept; the rest go to the collector.
 */
final class ChunkPool {
  private final int size;
  private final int maxFree;
  private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger freeCount = new AtomicInteger();

  ChunkPool(int size, int maxFree) {
    this.size = size;
    this.maxFree = maxFree;
  }

  /** The size of every buffer. */
  int size() {
    return size;
  }

  /** An empty buffer in write mode. */
  ByteBuffer take() {
    ByteBuffer b = free.poll();
    if (b == null) {
      return ByteBuffer.allocateDirect(size);
    }
    freeCount.decrementAndGet();
    return b.clear();
  }

  /** Gives back a buffer nobody reads any more. */
  void give(ByteBuffer b) {
    if (b.capacity() == size && freeCount.incrementAndGet() <= maxFree) {
      free.add(b);
    } else if (b.capacity() == size) {
      freeCount.decrementAndGet();
    }
  }
}
