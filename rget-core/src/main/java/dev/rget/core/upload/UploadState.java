package dev.rget.core.upload;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Where an unfinished upload lives on the server, remembered between runs of the same command.
 * One small owner-only file per (local file, endpoint) pair in a state directory kept by rget
 * (not beside the file, which may be read-only), named by the SHA-256 of the file's absolute path
 * and the endpoint. It holds the upload URL and the file's size and modification time, never
 * credentials, and is replaced atomically (write a temporary, rename over).
 */
public final class UploadState {
  /** What was recorded: the upload URL, and the local file's identity when it was created. */
  public record Entry(URI uploadUrl, long size, long mtimeMillis) {}

  /**
   * What a {@link ParallelUpload} recorded: the local file's identity, each part's length and
   * upload URL (null until created), whether the final upload was asked for, and its URL once the
   * server answered (null before).
   */
  public record PartsEntry(long size, long mtimeMillis, List<Long> partLengths, List<URI> partUrls,
      boolean finalRequested, URI finalUrl) {
    /** Checks that there is one URL slot per part. */
    public PartsEntry {
      partLengths = List.copyOf(partLengths);
      partUrls = Collections.unmodifiableList(new ArrayList<>(partUrls));
      if (partLengths.size() != partUrls.size()) {
        throw new IllegalArgumentException("one URL slot per part");
      }
    }

    /** This entry with part {@code i} at {@code url}. */
    public PartsEntry withPart(int i, URI url) {
      List<URI> urls = new ArrayList<>(partUrls);
      urls.set(i, url);
      return new PartsEntry(size, mtimeMillis, partLengths, urls, finalRequested, finalUrl);
    }

    /** This entry with the final upload asked for, at {@code url} (null: answer not read yet). */
    public PartsEntry withFinal(URI url) {
      return new PartsEntry(size, mtimeMillis, partLengths, partUrls, true, url);
    }
  }

  /** More parts than this in a state file is not ours. */
  static final int MAX_PARTS = 1024;

  private final Path file;

  private UploadState(Path file) {
    this.file = file;
  }

  /** The state for uploading {@code localFile} to {@code endpoint}, kept in {@code stateDir}. */
  public static UploadState of(Path stateDir, Path localFile, URI endpoint) {
    String key = localFile.toAbsolutePath().normalize() + "\n" + endpoint;
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return new UploadState(stateDir.resolve(HexFormat.of().formatHex(digest) + ".rget-upload"));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * The default state directory: {@code $XDG_STATE_HOME/rget/uploads}, else
   * {@code ~/.local/state/rget/uploads}.
   */
  public static Path defaultDirectory() {
    String xdg = System.getenv("XDG_STATE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
        : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("rget").resolve("uploads");
  }

  /** The state file's path. */
  public Path path() {
    return file;
  }

  /** The state file's properties, or null when there is none. */
  private Properties read() throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    }
    Properties p = new Properties();
    p.load(new StringReader(text));
    return p;
  }

  /** The recorded entry, or empty when there is none or it is unreadable (then it is not trusted). */
  public Optional<Entry> load() throws IOException {
    Properties p = read();
    if (p == null || p.getProperty("parts") != null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Entry(URI.create(p.getProperty("url")),
          Long.parseLong(p.getProperty("size")), Long.parseLong(p.getProperty("mtime"))));
    } catch (RuntimeException e) {
      // A torn or foreign file: starting a new upload is safe, believing it is not.
      return Optional.empty();
    }
  }

  /**
   * The recorded parts of a parallel upload, or empty when there are none or the file is
   * unreadable or of the single-stream kind.
   */
  public Optional<PartsEntry> loadParts() throws IOException {
    Properties p = read();
    if (p == null) {
      return Optional.empty();
    }
    try {
      int n = Integer.parseInt(p.getProperty("parts"));
      if (n < 1 || n > MAX_PARTS) {
        return Optional.empty();
      }
      List<Long> lengths = new ArrayList<>(n);
      List<URI> urls = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        lengths.add(Long.parseLong(p.getProperty("part." + i + ".length")));
        String u = p.getProperty("part." + i + ".url");
        urls.add(u == null ? null : URI.create(u));
      }
      long size = Long.parseLong(p.getProperty("size"));
      long sum = 0;
      for (long len : lengths) {
        if (len < 0) {
          return Optional.empty();
        }
        sum += len;
      }
      if (sum != size) {
        // Parts that do not cover the file exactly would join into a different file.
        return Optional.empty();
      }
      String fin = p.getProperty("final.url");
      return Optional.of(new PartsEntry(size, Long.parseLong(p.getProperty("mtime")), lengths, urls,
          "requested".equals(p.getProperty("final")), fin == null ? null : URI.create(fin)));
    } catch (RuntimeException e) {
      // A torn or foreign file: starting a new upload is safe, believing it is not.
      return Optional.empty();
    }
  }

  /** Records {@code entry} (replacing any other kind), atomically, readable by the owner only. */
  public void saveParts(PartsEntry entry) throws IOException {
    StringBuilder t = new StringBuilder();
    t.append("size=").append(entry.size()).append("\nmtime=").append(entry.mtimeMillis())
        .append("\nparts=").append(entry.partLengths().size()).append('\n');
    for (int i = 0; i < entry.partLengths().size(); i++) {
      t.append("part.").append(i).append(".length=").append(entry.partLengths().get(i)).append('\n');
      URI u = entry.partUrls().get(i);
      if (u != null) {
        t.append("part.").append(i).append(".url=").append(u).append('\n');
      }
    }
    if (entry.finalRequested()) {
      t.append("final=requested\n");
    }
    if (entry.finalUrl() != null) {
      t.append("final.url=").append(entry.finalUrl()).append('\n');
    }
    write(t.toString());
  }

  /** Records {@code entry}, atomically, readable by the owner only. */
  public void save(Entry entry) throws IOException {
    write("url=" + entry.uploadUrl() + "\nsize=" + entry.size() + "\nmtime="
        + entry.mtimeMillis() + "\n");
  }

  /** Replaces the state file's text atomically. */
  private void write(String text) throws IOException {
    Path dir = file.getParent();
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.isDirectory(dir)) {
      if (posix) {
        Files.createDirectories(dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(dir);
      }
    }
    Path tmp = posix
        ? Files.createTempFile(dir, ".upload", ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        : Files.createTempFile(dir, ".upload", ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Forgets the upload (it finished, or it is gone from the server). */
  public void delete() throws IOException {
    Files.deleteIfExists(file);
  }
}
