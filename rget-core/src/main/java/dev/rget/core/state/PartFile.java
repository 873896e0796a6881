package dev.rget.core.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The {@code OUT.part} file that a download fills in place: every byte is written at its final
 * offset with positional writes, in any order, from any thread. There is no merge step.
 */
public final class PartFile implements AutoCloseable {
  private final Path path;
  private final FileChannel channel;

  private PartFile(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  /** Where the part file of a download to {@code out} is: {@code OUT.part}, beside it. */
  public static Path pathFor(Path out) {
    return out.resolveSibling(out.getFileName() + ".part");
  }

  /**
   * Opens (creating it owner-only if needed) the part file for writing at any offset; never
   * truncates, never follows a symbolic link (see {@link PrivateFiles}).
   */
  public static PartFile open(Path path) throws IOException {
    return new PartFile(path, PrivateFiles.openReadWrite(path));
  }

  /** Where the part file is. */
  public Path path() {
    return path;
  }

  /** Writes all of {@code src} at {@code position}. */
  public void write(ByteBuffer src, long position) throws IOException {
    while (src.hasRemaining()) {
      position += channel.write(src, position);
    }
  }

  /** Current size of the file. */
  public long size() throws IOException {
    return channel.size();
  }

  /** Cuts the file to {@code length} bytes (used when starting over). */
  public void truncate(long length) throws IOException {
    channel.truncate(length);
  }

  /** Forces written data to the storage device, so it survives a power cut. */
  public void force() throws IOException {
    channel.force(false);
  }

  /** The channel, for reading back (checksums). */
  public FileChannel channel() {
    return channel;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
