package dev.rget.core.state;

import dev.rget.core.SafeText;
import dev.rget.core.http.EntityTag;
import dev.rget.core.http.Validators;
import dev.rget.core.range.ByteRange;
import dev.rget.core.range.RangeSet;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads and writes the {@code OUT.rget} sidecar. A save writes a temporary file and renames it
 * over the old one, so a reader sees the old state or the new one, never a mix; the last line is
 * a CRC32C of the rest, so a torn or zero-filled file (possible after a power cut) is detected and
 * distrusted rather than believed.
 *
 * <p>Neither the sidecar nor its temporary is ever opened through a symbolic link; both are
 * created owner-only (see {@link PrivateFiles}). A sidecar that is not a regular file, or larger
 * than {@link #MAX_SIZE}, is reported as corrupt without being read (a FIFO would block the read,
 * a huge file exhaust the heap).
 */
public final class StateStore {
  /** Largest sidecar read; a real one is a few hundred bytes plus its ranges. */
  public static final int MAX_SIZE = 1 << 20;
  private static final String MAGIC = "rget-state";
  private final Path path;
  private final Path tmp;

  /** Where the resume state of a download to {@code out} is kept: {@code OUT.rget}, beside it. */
  public static Path pathFor(Path out) {
    return out.resolveSibling(out.getFileName() + ".rget");
  }

  /** A store for the sidecar at {@code path}. */
  public StateStore(Path path) {
    this.path = path;
    this.tmp = path.resolveSibling(path.getFileName() + ".tmp");
  }

  /** The sidecar's path. */
  public Path path() {
    return path;
  }

  /**
   * Replaces the sidecar atomically.
   *
   * @param sync also force the new file and its directory entry to disk (slow; used for the
   *     periodic durable checkpoints and at the end, not for every save)
   */
  public void save(ResumeState s, boolean sync) throws IOException {
    byte[] body = encode(s);
    try (FileChannel ch = createTmp()) {
      ByteBuffer b = ByteBuffer.wrap(body);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      if (sync) {
        ch.force(true);
      }
    }
    try {
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
    }
    if (sync) {
      syncDirectory(path.toAbsolutePath().getParent());
    }
  }

  /**
   * A fresh owner-only temporary. A leftover regular file (from a killed run) is replaced; a
   * symbolic link is refused, never followed.
   */
  private FileChannel createTmp() throws IOException {
    try {
      return PrivateFiles.createNew(tmp);
    } catch (FileAlreadyExistsException e) {
      PrivateFiles.refuseUnlessRegularOrAbsent(tmp);
      Files.deleteIfExists(tmp);
      // Anything planted between the delete and this create makes it fail: O_EXCL with
      // O_NOFOLLOW creates a new file or nothing.
      return PrivateFiles.createNew(tmp);
    }
  }

  /** Forces a directory's entries (renames, creations) to disk; a no-op where unsupported. */
  public static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Some platforms cannot open or sync a directory; the rename is then as durable as the OS
      // makes it, and the CRC still catches a torn state file.
    }
  }

  /** Removes the sidecar (and any leftover temporary). */
  public void delete() throws IOException {
    Files.deleteIfExists(path);
    Files.deleteIfExists(tmp);
  }

  /** Whether anything (a symbolic link included) is at the sidecar's path. */
  public boolean exists() {
    return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Loads the sidecar.
   *
   * @throws NoSuchFileException if there is none
   * @throws CorruptStateException if it is not a regular file, too large, unreadable, torn, or
   *     of another format version
   * @throws dev.rget.core.DownloadException if it is a symbolic link
   */
  public ResumeState load() throws IOException {
    try {
      return parse(read());
    } catch (RuntimeException e) {
      // Anything the parser did not foresee in a file with a valid checksum: still just corrupt.
      throw new CorruptStateException("bad content: " + e);
    }
  }

  private byte[] read() throws IOException {
    BasicFileAttributes a =
        Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.isSymbolicLink()) {
      PrivateFiles.refuseUnlessRegularOrAbsent(path);
    }
    if (!a.isRegularFile()) {
      throw new CorruptStateException("not a regular file");
    }
    if (a.size() > MAX_SIZE) {
      throw new CorruptStateException("larger than " + MAX_SIZE + " bytes");
    }
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS)) {
      // Bounded even if the file grows after its size was read: one byte more than that size
      // means it is being written to, which a state file (replaced by rename) never is.
      ByteBuffer buf = ByteBuffer.allocate((int) a.size() + 1);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // keep reading
      }
      if (!buf.hasRemaining()) {
        throw new CorruptStateException("changed while being read");
      }
      byte[] out = new byte[buf.position()];
      buf.flip().get(out);
      return out;
    }
  }

  private static ResumeState parse(byte[] all) throws IOException {
    String text = new String(all, StandardCharsets.UTF_8);
    int lastLine = text.lastIndexOf("crc32c=");
    if (lastLine < 0) {
      throw new CorruptStateException("no checksum line");
    }
    String body = text.substring(0, lastLine);
    String crcText = text.substring(lastLine + "crc32c=".length()).trim();
    if (!crcText.equals(crcHex(body.getBytes(StandardCharsets.UTF_8)))) {
      throw new CorruptStateException("checksum mismatch");
    }
    Map<String, String> kv = new HashMap<>();
    String[] lines = body.split("\n");
    if (lines.length == 0 || !lines[0].equals(MAGIC + " " + ResumeState.FORMAT_VERSION)) {
      throw new CorruptStateException("unknown format " + (lines.length == 0 ? "" : lines[0]));
    }
    for (int i = 1; i < lines.length; i++) {
      int eq = lines[i].indexOf('=');
      if (eq > 0) {
        kv.put(lines[i].substring(0, eq), lines[i].substring(eq + 1));
      }
    }
    try {
      URI url = URI.create(require(kv, "url"));
      URI finalUrl = URI.create(require(kv, "final-url"));
      long length = Long.parseLong(require(kv, "length"));
      String etagText = kv.get("etag");
      EntityTag etag = etagText == null ? null : EntityTag.parse(etagText)
          .orElseThrow(() -> new CorruptStateException("bad etag"));
      Validators v = new Validators(length, etag, kv.get("last-modified"));
      RangeSet written = decodeRanges(require(kv, "written"));
      RangeSet durable = decodeRanges(require(kv, "durable"));
      return new ResumeState(url, finalUrl, v, require(kv, "boot-id"), written, durable);
    } catch (IllegalArgumentException e) {
      throw new CorruptStateException("bad value: " + e.getMessage());
    }
  }

  private static String require(Map<String, String> kv, String key) throws CorruptStateException {
    String v = kv.get(key);
    if (v == null) {
      throw new CorruptStateException("missing " + key);
    }
    return v;
  }

  static byte[] encode(ResumeState s) {
    StringBuilder sb = new StringBuilder();
    sb.append(MAGIC).append(' ').append(ResumeState.FORMAT_VERSION).append('\n');
    // A password in a URL is a secret; the state file records where, never how to log in.
    line(sb, "url", SafeText.withoutPassword(s.url()).toString());
    line(sb, "final-url", SafeText.withoutPassword(s.finalUrl()).toString());
    line(sb, "length", Long.toString(s.remote().length()));
    if (s.remote().etag() != null) {
      line(sb, "etag", s.remote().etag().format());
    }
    if (s.remote().lastModified() != null) {
      line(sb, "last-modified", s.remote().lastModified());
    }
    line(sb, "boot-id", s.bootId());
    line(sb, "written", encodeRanges(s.written()));
    line(sb, "durable", encodeRanges(s.durable()));
    byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] crc = ("crc32c=" + crcHex(body) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[body.length + crc.length];
    System.arraycopy(body, 0, out, 0, body.length);
    System.arraycopy(crc, 0, out, body.length, crc.length);
    return out;
  }

  private static void line(StringBuilder sb, String key, String value) {
    // Header values cannot hold CR or LF, but never let one forge a line of the state file.
    sb.append(key).append('=').append(value.replace('\n', ' ').replace('\r', ' ')).append('\n');
  }

  private static String encodeRanges(RangeSet set) {
    StringBuilder sb = new StringBuilder();
    for (ByteRange r : set.ranges()) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(r);
    }
    return sb.toString();
  }

  private static RangeSet decodeRanges(String text) {
    RangeSet set = new RangeSet();
    if (text.isEmpty()) {
      return set;
    }
    for (String part : text.split(",")) {
      int dash = part.indexOf('-');
      set.add(new ByteRange(Long.parseLong(part.substring(0, dash)),
          Long.parseLong(part.substring(dash + 1))));
    }
    return set;
  }

  private static String crcHex(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    return String.format("%08x", crc.getValue());
  }

  /** The sidecar exists but cannot be trusted. */
  public static final class CorruptStateException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptStateException(String message) {
      super(message);
    }
  }
}
