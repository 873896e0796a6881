package dev.rget.core.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.time.Duration;

/** Plain TCP: bytes go from the socket straight into the caller's buffer. */
final class PlainWire implements Wire {
  private final NioSocket socket;

  PlainWire(NioSocket socket) {
    this.socket = socket;
  }

  @Override
  public NioSocket socket() {
    return socket;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return socket.channel.read(dst);
  }

  @Override
  public void writeFully(ByteBuffer src, Duration timeout) throws IOException {
    while (src.hasRemaining()) {
      if (socket.channel.write(src) == 0) {
        socket.await(SelectionKey.OP_WRITE, timeout);
      }
    }
  }

  @Override
  public boolean hasBuffered() {
    return false;
  }

  @Override
  public void close() {
    socket.close();
  }
}
