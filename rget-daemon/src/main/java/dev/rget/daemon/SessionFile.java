package dev.rget.daemon;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The daemon's session file: the unfinished and the failed downloads (GID, URI, directory, file
 * name, options, paused or not), in queue order, as JSON; all come back waiting or paused. Written whole to {@code FILE.tmp} (owner-only, never
 * through a symbolic link), forced to disk and renamed over {@code FILE}, so a reader (the next
 * daemon) sees the old list or the new one, never a torn one. The transfer state of each download
 * is not here: it is rget-core's {@code FILE.rget} beside each {@code FILE.part}. The RPC secret is
 * never written.
 */
final class SessionFile {
  /** Larger files are refused when loading (10 000 downloads take well under this). */
  static final int MAX_BYTES = 32 << 20;
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

  /** One download as saved. */
  record Entry(String gid, URI uri, String fileName, Map<String, Object> options, boolean paused) {}

  private final Path file;
  private final Path tmp;

  SessionFile(Path file) {
    this.file = file;
    this.tmp = file.resolveSibling(file.getFileName() + ".tmp");
  }

  Path path() {
    return file;
  }

  /**
   * Creates the file's directory owner-only (0700) when it is missing; with {@code ownDirectory}
   * (the default location, a directory only the daemon uses) an existing one is made owner-only
   * too. A directory the user chose is otherwise left as it is: it may be shared on purpose.
   */
  void prepareDirectory(boolean ownDirectory) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (!Files.exists(parent, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(parent.getParent());
      Files.createDirectory(parent, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
      Files.setPosixFilePermissions(parent, OWNER_ONLY_DIR); // the umask may have taken owner bits away
    } else if (ownDirectory) {
      if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("session directory " + parent + " is not a directory");
      }
      Files.setPosixFilePermissions(parent, OWNER_ONLY_DIR);
    }
  }

  /** Replaces the file with {@code tasks}, atomically. */
  void save(List<Task> tasks) throws IOException {
    List<Object> list = new ArrayList<>();
    for (Task t : tasks) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("gid", t.gid);
      m.put("uri", t.uri.toString());
      String name = t.fileName;
      if (name != null) {
        m.put("file", name);
      }
      m.put("options", t.options.raw());
      m.put("paused", t.status == Status.PAUSED);
      list.add(m);
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("version", 1L);
    root.put("downloads", list);
    byte[] bytes = (Json.write(root) + "\n").getBytes(StandardCharsets.UTF_8);
    Files.deleteIfExists(tmp); // a leftover might carry other permissions; it is re-created owner-only
    try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * The saved downloads, none if there is no file.
   *
   * @throws IOException if the file cannot be read, is not a regular owner-only file, or is not
   *     a session file this version wrote (one line saying which)
   */
  List<Entry> load() throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("session file " + file + " is not a regular file");
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
    if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IOException("session file " + file + " is writable by others: refusing to trust it");
    }
    if (Files.size(file) > MAX_BYTES) {
      throw new IOException("session file " + file + " is larger than " + MAX_BYTES + " bytes");
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      Object root = Json.parse(text, MAX_BYTES);
      if (!(root instanceof Map<?, ?> m) || !Long.valueOf(1).equals(m.get("version"))
          || !(m.get("downloads") instanceof List<?> list)) {
        throw new IOException("session file " + file + " is not an rget session (version 1)");
      }
      List<Entry> out = new ArrayList<>();
      for (Object o : list) {
        out.add(entry(o));
      }
      return out;
    } catch (Json.ParseException | IllegalArgumentException | ClassCastException e) {
      throw new IOException("session file " + file + " is corrupt: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private Entry entry(Object o) throws IOException {
    if (!(o instanceof Map<?, ?> m) || !(m.get("gid") instanceof String gid) || !Gid.valid(gid)
        || !(m.get("uri") instanceof String uri) || !(m.get("options") instanceof Map<?, ?> options)) {
      throw new IOException("session file " + file + " has a malformed entry");
    }
    Object name = m.get("file");
    return new Entry(gid, URI.create(uri), name instanceof String s ? s : null,
        (Map<String, Object>) options, Boolean.TRUE.equals(m.get("paused")));
  }
}
