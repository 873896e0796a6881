package dev.rget.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** {@link Content} read positionally from a file; the file is opened for each read. */
final class FileContent extends CachedContent {
  private final Path file;
  private final long length;

  FileContent(Path file) throws IOException {
    this.file = file;
    this.length = java.nio.file.Files.size(file);
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public void read(long offset, byte[] dst, int off, int len) {
    checkSpan(offset, dst, off, len);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer bb = ByteBuffer.wrap(dst, off, len);
      long pos = offset;
      while (bb.hasRemaining()) {
        int n = ch.read(bb, pos);
        if (n < 0) {
          throw new IOException("file shrank: " + file);
        }
        pos += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "Content.ofFile(" + file + ")";
  }
}
