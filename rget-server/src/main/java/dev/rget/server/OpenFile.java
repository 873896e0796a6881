package dev.rget.server;

import io.netty.channel.DefaultFileRegion;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A file opened for one response, shared by all the file regions of that response (a multipart
 * reply sends many slices of one open file, so every part comes from the same file version the
 * validators describe). Reference-counted: closed when the responder and every region are done.
 */
final class OpenFile extends AbstractReferenceCounted {
  private final FileChannel channel;

  OpenFile(FileChannel channel) {
    this.channel = channel;
  }

  FileChannel channel() {
    return channel;
  }

  /** A zero-copy region {@code [position, position + count)} of this file; retains the file. */
  DefaultFileRegion region(long position, long count) {
    return new Region(this, position, count);
  }

  @Override
  protected void deallocate() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing to do: the descriptor is gone either way
    }
  }

  @Override
  public ReferenceCounted touch(Object hint) {
    return this;
  }

  /**
   * A {@link DefaultFileRegion} (so epoll sends it with {@code sendfile}) that, unlike its parent,
   * does not close the channel when released but releases the shared {@link OpenFile}.
   */
  private static final class Region extends DefaultFileRegion {
    private final OpenFile file;

    Region(OpenFile file, long position, long count) {
      super(file.channel, position, count);
      this.file = file;
      file.retain();
    }

    @Override
    protected void deallocate() {
      file.release();
    }
  }
}
