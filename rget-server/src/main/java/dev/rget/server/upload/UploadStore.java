package dev.rget.server.upload;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The uploads on disk. Partial data and records live in {@code UPDIR/.rget-uploads/}: for each
 * upload {@code ID.part} (the bytes) and {@code ID.info} (an {@link UploadInfo}, replaced
 * atomically through {@code ID.info.tmp}). The offset in {@code ID.info} is only ever raised after
 * {@code ID.part} was forced to disk up to it, so after a crash or a power cut it never claims
 * bytes that are not there; bytes beyond it are cut off when the upload is next loaded. Completed
 * uploads are hard-linked into {@code UPDIR} under their sanitized name, never over an existing
 * one, then unlinked from the hidden directory.
 *
 * <p>Nothing here follows a symbolic link: files are opened with {@code NOFOLLOW_LINKS}, the hidden
 * directory must be a real directory, ids come from {@link SecureRandom} and are checked against
 * {@link #ID} before they name a file. Blocking: call off the network threads.
 */
final class UploadStore implements Closeable {
  static final String HIDDEN_DIR = ".rget-uploads";
  /** In the hidden directory: locked by the one store that has the directory. */
  static final String LOCK_FILE = "lock";
  /** 128 random bits, base64url without padding. */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{22}");
  /** Clashing names get {@code NAME.1} ... up to this suffix. */
  static final int MAX_SUFFIX = 9999;

  private final Path dir;
  private final Path partial;
  private final Clock clock;
  private final long expiryMillis;
  private final SecureRandom random = new SecureRandom();
  private final ConcurrentHashMap<String, Upload> loaded = new ConcurrentHashMap<>();
  /**
   * Runs the background forces of bodies being written ({@link PatchWriter}): one thread per
   * body at most (each has at most one force running), started on demand, gone after a minute idle
   * (daemon threads; {@link #close()} lets them end).
   */
  private final ThreadPoolExecutor writeBack = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
      new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "rget-upload-write-back");
        t.setDaemon(true);
        return t;
      });

  /** The open lock file and its lock: held while the store is open (see {@link #open}). */
  private final FileChannel lockFile;
  private final FileLock lock;

  private UploadStore(Path dir, Path partial, Clock clock, long expiryMillis, FileChannel lockFile,
      FileLock lock) {
    this.dir = dir;
    this.partial = partial;
    this.clock = clock;
    this.expiryMillis = expiryMillis;
    this.lockFile = lockFile;
    this.lock = lock;
  }

  /**
   * Opens the store in {@code dir}, creating the hidden directory (owner-only) if needed, and takes
   * the directory for this store alone: an exclusive lock on {@code .rget-uploads/lock}, held until
   * {@link #close()}. A second server on the same directory would cut the data files of uploads
   * it did not write back to their recorded offsets (as after a crash) while this one writes them.
   *
   * @throws IOException if {@code dir} is not a directory, its hidden directory is something else
   *     than a real directory (a link planted there is refused, never followed), or another store,
   *     in this process or another, has the directory
   */
  static UploadStore open(Path dir, Clock clock, long expiryMillis) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("upload directory " + dir + " is not a directory");
    }
    Path real = dir.toRealPath();
    Path hidden = real.resolve(HIDDEN_DIR);
    try {
      Files.createDirectory(hidden, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      BasicFileAttributes a = Files.readAttributes(hidden, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isDirectory()) {
        throw new IOException(hidden + " exists and is not a directory (a link is never followed): move it away");
      }
    }
    Path lockPath = hidden.resolve(LOCK_FILE);
    FileChannel ch = FileChannel.open(lockPath, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by another store of this process
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      throw new IOException("upload directory " + real + " is in use by another rget serve (it holds "
          + lockPath + "): only one server may use an upload directory");
    }
    return new UploadStore(real, hidden, clock, expiryMillis, ch, lock);
  }

  /** Lets go of the directory (see {@link #open}); uploads in memory must not be written after. */
  @Override
  public void close() throws IOException {
    writeBack.shutdown();
    try {
      lock.release();
    } finally {
      lockFile.close();
    }
  }

  Path dir() {
    return dir;
  }

  long now() {
    return clock.millis();
  }

  long newExpiry() {
    return now() + expiryMillis;
  }

  /**
   * Creates an empty upload of {@code length} bytes, durable when this returns; {@code name} (null
   * for {@code upload-} and the start of the id) is what it will be called when complete.
   */
  Upload create(long length, String metadata, String name) throws IOException {
    return create(length, metadata, name, UploadInfo.Kind.TUS, UploadInfo.Concat.NONE, List.of(), null);
  }

  /**
   * Creates an empty upload ({@code length} may be {@link UploadInfo#UNKNOWN}) of the given kind
   * and concatenation role, durable when this returns.
   */
  Upload create(long length, String metadata, String name, UploadInfo.Kind kind, UploadInfo.Concat concat,
      List<String> parts, String reprDigest) throws IOException {
    String id = newId();
    Path part = partFile(id);
    Files.newByteChannel(part, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))).close();
    UploadInfo info = new UploadInfo(id, length, 0, newExpiry(), metadata,
        name == null ? "upload-" + id.substring(0, 8) : name, false, null, kind, concat, parts, reprDigest);
    save(info);
    forceDirectory(partial);
    Upload u = new Upload(info);
    loaded.put(id, u);
    return u;
  }

  private String newId() {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The upload called {@code id}, loaded from disk if needed; null if there is none. */
  Upload find(String id) throws IOException {
    if (!ID.matcher(id).matches()) {
      return null;
    }
    Upload u = loaded.get(id);
    if (u != null && !u.gone()) {
      return u;
    }
    synchronized (this) {
      u = loaded.get(id);
      if (u != null && !u.gone()) {
        return u;
      }
      UploadInfo info = load(id);
      if (info == null) {
        return null;
      }
      u = new Upload(info);
      loaded.put(id, u);
      return u;
    }
  }

  /**
   * Reads {@code ID.info} and brings {@code ID.part} in line with it after a restart: bytes
   * beyond the durable offset were never confirmed and are cut off; a completion that a crash
   * interrupted is finished.
   */
  private UploadInfo load(String id) throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(infoFile(id), LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(UploadInfo.MAX_BYTES + 1);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (bytes.length > UploadInfo.MAX_BYTES) {
      throw new IOException("upload " + id + ": info file too large");
    }
    UploadInfo info = UploadInfo.decode(id, bytes);
    Path part = partFile(id);
    if (info.complete()) {
      if (info.concat() != UploadInfo.Concat.PARTIAL) {
        Files.deleteIfExists(part); // linked into place before the record said complete
      }
      return info;
    }
    try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      long size = ch.size();
      if (size > info.offset()) {
        ch.truncate(info.offset());
        ch.force(true);
      } else if (size < info.offset()) {
        throw new IOException("upload " + id + ": data file shorter (" + size + ") than its durable offset "
            + info.offset() + ": the file system lost forced data");
      }
    } catch (NoSuchFileException e) {
      throw new IOException("upload " + id + ": data file missing", e);
    }
    if (info.offset() == info.length() && info.kind() == UploadInfo.Kind.TUS) {
      info = completeFiles(info);
    }
    return info;
  }

  /** Where the writers' background forces run. */
  Executor writeBack() {
    return writeBack;
  }

  /** Opens the data file for a writer holding the upload's lock. */
  FileChannel openForWrite(Upload u) throws IOException {
    return FileChannel.open(partFile(u.id), StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  }

  /** Opens the data file of a complete partial upload (or one being checked) for reading. */
  FileChannel openForRead(Upload u) throws IOException {
    return FileChannel.open(partFile(u.id), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
  }

  /** What {@link #assemble} did with a final upload. */
  enum Assembly {
    /** It is complete (now or before). */
    ASSEMBLED,
    /** A part is unfinished (and unexpired): nothing changed. */
    WAITING,
    /**
     * A part expired unfinished, or a complete part expired while another is unfinished (the
     * sweep takes it before the final could use it): the final can never complete, so it is
     * expired now too (answered 410 as any expired upload, removed by the next sweep).
     */
    EXPIRED,
    /** A part is gone (terminated, swept, used up): the final can never complete and was removed. */
    REMOVED
  }

  /**
   * Assembles a final upload (whose lock the caller holds) from its complete partial uploads, in
   * order: their bytes are copied into its data file and forced, then its offset is recorded and
   * it is completed like any upload; the parts are then removed (the tus concatenation extension
   * lets a server drop them once used) unless another final upload waits for them.
   *
   * <p>A final whose part is gone or expired could otherwise wait for ever; it is ended here
   * instead (see {@link Assembly}). A part's id is random and never given again, so a final is
   * never assembled from another upload under a reused name. A final already expired itself is
   * left to the sweep, not assembled.
   *
   * @throws IOException if the copy or a record fails (the final upload's offset stays 0)
   */
  Assembly assemble(Upload fin) throws IOException {
    UploadInfo info = fin.info();
    if (info.complete()) {
      return Assembly.ASSEMBLED;
    }
    if (expired(info)) {
      return Assembly.EXPIRED;
    }
    List<Upload> parts = new ArrayList<>(info.parts().size());
    boolean unfinished = false;
    boolean expired = false;
    for (String id : info.parts()) {
      Upload p = find(id);
      if (p == null) {
        delete(fin);
        return Assembly.REMOVED;
      }
      unfinished |= !p.info().complete();
      expired |= expired(p.info());
      parts.add(p);
    }
    if (unfinished) {
      if (!expired) {
        return Assembly.WAITING;
      }
      // Now rather than at the final's own expiry: the client learns at once to start again.
      update(fin, info.withOffset(info.offset(), Math.min(info.expiresMillis(), now())));
      return Assembly.EXPIRED;
    }
    // All complete and here (an expired one not swept yet still has its bytes): assemble.
    try (FileChannel out = openForWrite(fin)) {
      out.truncate(0);
      long at = 0;
      for (Upload p : parts) {
        FileChannel in;
        try {
          in = openForRead(p);
        } catch (NoSuchFileException e) {
          if (!p.gone()) {
            throw e;
          }
          delete(fin); // terminated or swept since it was found
          return Assembly.REMOVED;
        }
        try (in) {
          long size = p.info().length();
          long done = 0;
          while (done < size) {
            long n = in.transferTo(done, size - done, out.position(at + done));
            if (n <= 0) {
              throw new IOException("part " + p.id + " is shorter than its length " + size);
            }
            done += n;
          }
          at += size;
        }
      }
      out.force(false);
      update(fin, info.withLength(at).withOffset(at, info.expiresMillis()));
    }
    complete(fin);
    Set<String> stillWanted = new HashSet<>();
    for (Upload other : waitingFinals()) {
      stillWanted.addAll(other.info().parts());
    }
    for (Upload p : parts) {
      if (!stillWanted.contains(p.id) && p.tryLock()) {
        try {
          delete(p);
        } finally {
          p.unlock();
        }
      }
    }
    return Assembly.ASSEMBLED;
  }

  /** Saves {@code info} durably (write, force, atomic rename) and makes it the current one. */
  void update(Upload u, UploadInfo info) throws IOException {
    save(info);
    u.info(info);
  }

  private void save(UploadInfo info) throws IOException {
    Path tmp = partial.resolve(info.id() + ".info.tmp");
    try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer b = ByteBuffer.wrap(info.encode());
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, infoFile(info.id()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Moves a fully received upload (its data already forced) into the upload directory under its
   * name, or {@code NAME.1}, {@code NAME.2} ... if taken: a hard link, which fails rather than
   * replace anything (a file, a link planted under that name), then the record, then the unlink.
   */
  void complete(Upload u) throws IOException {
    u.info(completeFiles(u.info()));
  }

  private UploadInfo completeFiles(UploadInfo info) throws IOException {
    Path part = partFile(info.id());
    if (info.concat() == UploadInfo.Concat.PARTIAL) {
      // A part stays hidden until a final upload takes it in.
      UploadInfo done = info.completedAs(null);
      save(done);
      return done;
    }
    String chosen = null;
    for (int i = 0; i <= MAX_SUFFIX && chosen == null; i++) {
      String candidate = i == 0 ? info.name() : info.name() + "." + i;
      Path target = dir.resolve(candidate);
      try {
        Files.createLink(target, part);
        chosen = candidate;
      } catch (FileAlreadyExistsException e) {
        // taken: try the next suffix
      } catch (UnsupportedOperationException | FileSystemException e) {
        if (e instanceof NoSuchFileException) {
          throw (NoSuchFileException) e;
        }
        // No hard links here: a rename that does not replace. The check and the rename are two
        // steps, so a name created in between could be replaced; only on such file systems.
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          Files.move(part, target);
          chosen = candidate;
        }
      }
    }
    if (chosen == null) {
      throw new IOException("upload " + info.id() + ": no free name for " + info.name());
    }
    forceDirectory(dir);
    UploadInfo done = info.completedAs(chosen);
    save(done);
    Files.deleteIfExists(part);
    return done;
  }

  /** The final uploads in memory that wait for their parts. */
  List<Upload> waitingFinals() {
    List<Upload> out = new ArrayList<>();
    for (Upload u : loaded.values()) {
      if (u.info().concat() == UploadInfo.Concat.FINAL && !u.info().complete() && !u.gone()) {
        out.add(u);
      }
    }
    return out;
  }

  /**
   * Removes an upload's files (its lock is held by the caller). A completed file stays. Done under
   * the store's monitor, as {@link #find} loads under it: a find that missed the upload in memory
   * would otherwise load its record again between the removal from memory and from disk, and
   * answer for an upload whose data is already gone.
   */
  void delete(Upload u) throws IOException {
    synchronized (this) {
      u.markGone();
      loaded.remove(u.id, u);
      Files.deleteIfExists(partFile(u.id));
      Files.deleteIfExists(infoFile(u.id));
      Files.deleteIfExists(partial.resolve(u.id + ".info.tmp"));
    }
  }

  boolean expired(UploadInfo info) {
    return info.expiresMillis() <= now();
  }

  /**
   * Deletes every expired upload whose lock is free (one being written is not expired: each write
   * moves its expiry on). Returns how many were removed.
   */
  int sweep() throws IOException {
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(partial, "*.info")) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        String id = name.substring(0, name.length() - ".info".length());
        Upload u;
        try {
          u = find(id);
        } catch (IOException e) {
          continue; // a damaged record: reported when it is asked for, left for the operator
        }
        if (u != null && expired(u.info()) && u.tryLock()) {
          try {
            delete(u);
            removed++;
          } finally {
            u.unlock();
          }
        }
      }
    }
    return removed;
  }

  private Path partFile(String id) {
    return partial.resolve(id + ".part");
  }

  private Path infoFile(String id) {
    return partial.resolve(id + ".info");
  }

  /** Makes a directory's entries (a new file, a rename) durable. */
  private static void forceDirectory(Path d) throws IOException {
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
