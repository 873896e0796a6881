package dev.rget.core.engine;

import dev.rget.core.Checksum;
import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.http.HttpDate;
import dev.rget.core.state.PartFile;
import dev.rget.core.state.PrivateFiles;
import dev.rget.core.state.StateStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The file a download writes: {@code OUT.part}, locked against a second download of the same
 * output, filled in place, then forced, checked and renamed to {@code OUT}. A file at the output
 * path is therefore always complete, even after a power cut. Until the rename, the part file is
 * the download's to resume.
 */
final class OutputFile implements AutoCloseable {
  private final Path out;
  private final PartFile part;
  private final Consumer<String> notices;
  /** The part file is closed by a force that goes on after a stop (see {@link #force}). */
  private boolean handedOff;

  private OutputFile(Path out, PartFile part, Consumer<String> notices) {
    this.out = out;
    this.part = part;
    this.notices = notices;
  }

  /**
   * Refuses an output path that cannot be written: empty, a directory, or in a directory that is
   * missing or not writable. Checked before any request, so that a typo costs no traffic.
   */
  static void checkPath(Path out) throws DownloadException {
    if (out.toString().isEmpty()) {
      throw new DownloadException(FailureKind.LOCAL_IO, "output path is empty");
    }
    if (Files.isDirectory(out) || out.getFileName() == null) {
      throw new DownloadException(FailureKind.LOCAL_IO, "output path " + out + " is a directory");
    }
    Path dir = out.toAbsolutePath().getParent();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new DownloadException(FailureKind.LOCAL_IO, "output directory " + dir
          + " is not a directory");
    }
    if (!Files.isDirectory(dir)) {
      throw new DownloadException(FailureKind.LOCAL_IO, "output directory " + dir
          + " does not exist");
    }
    if (!Files.isWritable(dir)) {
      throw new DownloadException(FailureKind.LOCAL_IO, "output directory " + dir
          + " is not writable");
    }
  }

  /**
   * Opens (creating it if needed) and locks the part file of {@code out}.
   *
   * @throws DownloadException LOCAL_IO when it cannot be opened or another download holds it
   */
  static OutputFile open(Path out, Consumer<String> notices) throws DownloadException {
    Path partPath = FreeName.partOf(out);
    PartFile part;
    try {
      part = PartFile.open(partPath);
    } catch (AccessDeniedException e) {
      throw new DownloadException(FailureKind.LOCAL_IO, "no permission to write " + partPath, e);
    } catch (IOException e) {
      throw new DownloadException(FailureKind.LOCAL_IO, "cannot open " + partPath + ": "
          + RequestSender.describe(e), e);
    }
    try {
      if (part.channel().tryLock() == null) {
        throw new OverlappingFileLockException();
      }
    } catch (OverlappingFileLockException | IOException e) {
      try {
        part.close();
      } catch (IOException ce) {
        e.addSuppressed(ce);
      }
      throw new DownloadException(FailureKind.LOCAL_IO, "another download is writing " + partPath,
          e);
    }
    return new OutputFile(out, part, notices);
  }

  /** The part file, for the connections to write into. */
  PartFile part() {
    return part;
  }

  /** Where the file goes once complete. */
  Path out() {
    return out;
  }

  /** Cuts the part file to {@code length} bytes if it is longer (0: start from nothing). */
  void truncateTo(long length) throws IOException {
    if (length == 0 || part.size() > length) {
      part.truncate(Math.max(0, length));
    }
  }

  /**
   * Forces the part file to disk on {@code executor}, waiting on {@code stop}: a flush of
   * gigabytes can take seconds, and a cancel must not wait for it. After a stop the flush goes
   * on and closes the part file when it ends: the one task of a download that may outlive its
   * result (it cannot be interrupted, and it only flushes and closes the part file), which is
   * why {@code executor} is the caller's own, not the download's task group.
   *
   * @return true when forced; false when stopped first
   */
  boolean force(StopSignal stop, Executor executor) throws IOException {
    CompletableFuture<Void> forced = new CompletableFuture<>();
    executor.execute(() -> {
      try {
        part.force();
        forced.complete(null);
      } catch (IOException | RuntimeException e) {
        forced.completeExceptionally(e);
      }
    });
    while (!forced.isDone()) {
      if (!stop.pauseNanos(10_000_000L)) {
        handedOff = true;
        forced.whenComplete((ok, e) -> closeAfterForce(e));
        return false;
      }
    }
    try {
      forced.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof IOException io) {
        throw new DownloadException(FailureKind.LOCAL_IO, "cannot force " + part.path()
            + " to disk: " + RequestSender.describe(io), io);
      }
      throw e;
    }
    return true;
  }

  /** Closes the part file after a background force; a failure there is reported, not lost. */
  private void closeAfterForce(Throwable forceFailure) {
    try {
      part.close();
    } catch (IOException e) {
      notices.accept("cannot close " + part.path() + ": " + RequestSender.describe(e));
    }
    if (forceFailure != null) {
      notices.accept("forcing " + part.path() + " to disk failed after the download was"
          + " stopped: " + forceFailure);
    }
  }

  /**
   * Checks the part file against {@code checksum} (nothing to do when {@code null}). Wrong bytes
   * are deleted with their state: keeping them would only make the next run "resume" to the
   * same wrong file.
   */
  void verify(Checksum checksum, StopSignal stop, StateStore store) throws IOException {
    if (checksum == null) {
      return;
    }
    MessageDigest md = checksum.newDigest();
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    FileChannel ch = part.channel();
    long pos = 0;
    while (true) {
      stop.check();
      buf.clear();
      int n = ch.read(buf, pos);
      if (n < 0) {
        break;
      }
      buf.flip();
      md.update(buf);
      pos += n;
    }
    byte[] digest = md.digest();
    if (!checksum.matches(digest)) {
      discard(store);
      throw new DownloadException(FailureKind.CHECKSUM_MISMATCH, checksum.algorithm()
          + " mismatch: expected " + checksum.expectedHex() + ", got "
          + HexFormat.of().formatHex(digest) + "; the download was discarded");
    }
  }

  /** Closes and deletes the part file and its state: its bytes are of no further use. */
  void discard(StateStore store) throws IOException {
    part.close();
    store.delete();
    Files.deleteIfExists(part.path());
  }

  /**
   * Closes the forced part file and renames it to the output, replacing what was there, and
   * syncs the directory so the rename survives a power cut too.
   */
  void commit() throws IOException {
    part.close();
    Path partPath = part.path();
    try {
      // Owner-only while partial; the finished file gets what any new file would.
      PrivateFiles.setDefaultPermissions(partPath);
      try {
        Files.move(partPath, out, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partPath, out, StandardCopyOption.REPLACE_EXISTING);
      }
      StateStore.syncDirectory(out.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new DownloadException(FailureKind.LOCAL_IO, "cannot rename " + partPath + " to "
          + out + ": " + RequestSender.describe(e), e);
    }
  }

  /**
   * Gives the committed file the server's Last-Modified as its modification time, as wget does,
   * so that {@code -N} later compares against the server's clock.
   */
  void applyRemoteTime(String lastModified) {
    Optional<Instant> t = HttpDate.parse(lastModified);
    if (t.isEmpty()) {
      return;
    }
    try {
      Files.setLastModifiedTime(out, FileTime.from(t.get()));
    } catch (IOException e) {
      notices.accept("cannot set the modification time of " + out + ": "
          + RequestSender.describe(e));
    }
  }

  /** Closes the part file unless a background force will (closing twice is harmless). */
  @Override
  public void close() throws IOException {
    if (!handedOff) {
      part.close();
    }
  }
}
