package dev.rget.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The served directory, reached only through open directory handles: each name of a request is
 * looked up with {@code fstatat}/{@code openat} relative to the directory opened before it, never
 * following a symbolic link ({@link SecureDirectoryStream} with {@code NOFOLLOW_LINKS}). So what
 * gets opened is inside the root by construction, with no window between a check and the open
 * (renaming a directory into a link half-way changes nothing: the handle already held is used).
 *
 * <p>Links are followed by this class, not by the kernel: a relative target is walked from the
 * link's directory ({@code ..} climbs the handles held); a target that leaves the root is fully
 * resolved by path ({@code realpath}, which opens nothing) and is followed only if it lands back
 * inside the root, then walked again from the root's handle. At most
 * {@link Limits#MAX_SYMLINKS} links per request.
 *
 * <p>Only regular files and directories are ever opened: the type is read with
 * {@code fstatat(NOFOLLOW)} first, and a FIFO, device or socket is refused without being opened
 * (opening a FIFO blocks until a writer appears). Names starting with {@code .} are refused unless
 * dotfiles are served; that applies to link targets too.
 *
 * <p>Validators: the file's identity (device and inode) is read before and after the open; if it
 * differs, the file was replaced right then and the open is retried. The size and dates returned
 * are those read after the open, on the same inode, and the open channel's own size
 * ({@code fstat}) must be at least that size. (Java offers no {@code fstat} for dates and inode;
 * only a writer able to swap the name back and forth around the open could defeat this, and such a
 * writer can rewrite the file anyway.) Thread-safe; does blocking file-system calls, so it runs on
 * the file-system threads, never on an event loop.
 */
final class ServedTree {
  /** Refused: not there, not allowed (a dotfile, an escape), or not a file or directory. */
  static final class NotFoundException extends NoSuchFileException {
    NotFoundException(String why) {
      super(why);
    }
  }

  /** The file kept changing identity while it was being opened. */
  static final class UnstableException extends FileSystemException {
    UnstableException(String name) {
      super(name, null, "replaced while being opened");
    }
  }

  /** A regular file, open for reading. The caller closes {@link #channel}. */
  record OpenedFile(String name, FileChannel channel, BasicFileAttributes attributes) {}

  /** A directory, open for listing. The caller closes {@link #stream}. */
  record OpenedDirectory(SecureDirectoryStream<Path> stream, List<String> segments, boolean isRoot) {}

  private static final int OPEN_ATTEMPTS = 3;
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private final Path root;
  private final boolean dotfiles;

  /**
   * @param root the served directory as configured (opened afresh for each request, so a root
   *     that is renamed or re-pointed is followed)
   */
  ServedTree(Path root, boolean dotfiles) {
    this.root = root.toAbsolutePath();
    this.dotfiles = dotfiles;
  }

  /**
   * Whether {@code name} may be served: not a dotfile and not one of rget's own resume-state
   * files ({@code NAME.rget}, {@code NAME.rget.tmp}: they name the URL a download came from,
   * whose query may hold a token), or hidden files are on.
   */
  boolean visible(String name) {
    return dotfiles
        || !(name.startsWith(".") || name.endsWith(".rget") || name.endsWith(".rget.tmp"));
  }

  /** Fails unless this platform offers {@link SecureDirectoryStream} (Linux and other Unixes do). */
  void checkSupported() throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
      if (!(ds instanceof SecureDirectoryStream)) {
        throw new IOException("this platform cannot open files relative to a directory handle"
            + " (no SecureDirectoryStream); rget serve needs it to serve safely");
      }
    }
  }

  /**
   * What {@code segments} (decoded, no {@code .}, {@code ..} or separators) name: an
   * {@link OpenedFile} or an {@link OpenedDirectory}.
   *
   * @throws NotFoundException if it does not exist or may not be served
   * @throws java.nio.file.AccessDeniedException if the server may not read it
   * @throws UnstableException if it was replaced during every attempt to open it
   */
  Object open(List<String> segments) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try (Walk w = new Walk()) {
        Object found = w.walk(segments, true);
        if (found != null) {
          return found;
        }
      }
      if (attempt == OPEN_ATTEMPTS) {
        throw new UnstableException(String.join("/", segments));
      }
    }
  }

  /**
   * The attributes of what {@code segments} name after following links (as {@link #open} would
   * reach it), without opening it; {@code null} if it cannot be served. For listing links.
   */
  BasicFileAttributes stat(List<String> segments) {
    try (Walk w = new Walk()) {
      return (BasicFileAttributes) w.walk(segments, false);
    } catch (IOException e) {
      return null;
    }
  }

  /** One resolution: the stack of directory handles from the root to where it is. */
  private final class Walk implements AutoCloseable {
    private final Deque<SecureDirectoryStream<Path>> dirs = new ArrayDeque<>();
    private final Deque<String> names = new ArrayDeque<>(); // the names of dirs below the root
    private int links;

    /**
     * Walks to {@code segments}; opens the result if {@code open}, else returns its attributes.
     * Returns {@code null} when a file changed identity during its open (try again).
     */
    Object walk(List<String> segments, boolean open) throws IOException {
      dirs.push(openRoot());
      Deque<String> todo = new ArrayDeque<>(segments);
      while (!todo.isEmpty()) {
        String name = todo.pollFirst();
        if (name.isEmpty() || name.equals(".")) {
          continue;
        }
        if (name.equals("..")) {
          if (dirs.size() == 1) {
            leaveRoot(currentPath().resolve(".."), todo);
          } else {
            dirs.pop().close();
            names.removeLast();
          }
          continue;
        }
        if (!visible(name)) {
          throw new NotFoundException(name);
        }
        SecureDirectoryStream<Path> dir = dirs.peek();
        Path p = Path.of(name);
        BasicFileAttributes a = dir.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW).readAttributes();
        if (a.isSymbolicLink()) {
          if (++links > Limits.MAX_SYMLINKS) {
            throw new NotFoundException("too many symbolic links");
          }
          // Reading the link by path can race with renames; its text is only used to decide which
          // names to look up next, always through the handles, so a race cannot lead outside.
          Path target = Files.readSymbolicLink(currentPath().resolve(name));
          if (target.isAbsolute()) {
            leaveRoot(target, todo);
          } else {
            List<String> parts = split(target);
            for (int i = parts.size() - 1; i >= 0; i--) {
              todo.addFirst(parts.get(i));
            }
          }
          continue;
        }
        if (a.isDirectory()) {
          SecureDirectoryStream<Path> child = dir.newDirectoryStream(p, NOFOLLOW);
          dirs.push(child);
          names.addLast(name);
          continue;
        }
        if (!a.isRegularFile() || !todo.isEmpty()) {
          throw new NotFoundException(name); // FIFO, device, socket: never opened; or "file/more"
        }
        if (!open) {
          return a;
        }
        return openFile(dir, name, a);
      }
      SecureDirectoryStream<Path> dir = dirs.peek();
      if (!open) {
        return dir.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
      }
      dirs.pop(); // handed over to the caller
      return new OpenedDirectory(dir, List.copyOf(names), dirs.isEmpty());
    }

    private Object openFile(SecureDirectoryStream<Path> dir, String name, BasicFileAttributes before)
        throws IOException {
      Path p = Path.of(name);
      SeekableByteChannel ch = dir.newByteChannel(p, Set.of(StandardOpenOption.READ, NOFOLLOW));
      try {
        if (!(ch instanceof FileChannel fc)) {
          throw new IOException("not a file channel: " + ch.getClass().getName());
        }
        BasicFileAttributes after = dir.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW).readAttributes();
        long size = fc.size(); // fstat of the open file
        if (!after.isRegularFile() || !Objects.equals(before.fileKey(), after.fileKey()) || size < after.size()) {
          ch.close();
          return null; // replaced (or cut short) between the look and the open
        }
        return new OpenedFile(name, fc, after);
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    }

    /**
     * The walk leaves the root (an absolute link, or {@code ..} above it): resolve where it lands
     * by path; inside the root, go on from the root's handle with the rest; outside, refuse.
     */
    private void leaveRoot(Path outside, Deque<String> todo) throws IOException {
      Path rest = outside;
      for (String n : todo) {
        rest = rest.resolve(n);
      }
      Path real;
      Path realRoot;
      try {
        real = rest.toRealPath();
        realRoot = root.toRealPath();
      } catch (IOException e) {
        throw new NotFoundException("link target does not resolve");
      }
      if (!real.startsWith(realRoot)) {
        throw new NotFoundException("link leads outside the root");
      }
      while (dirs.size() > 1) {
        dirs.pop().close();
      }
      names.clear();
      todo.clear();
      for (Path n : realRoot.relativize(real)) {
        todo.addLast(n.toString());
      }
    }

    private Path currentPath() {
      Path p = root;
      for (String n : names) {
        p = p.resolve(n);
      }
      return p;
    }

    private SecureDirectoryStream<Path> openRoot() throws IOException {
      DirectoryStream<Path> ds = Files.newDirectoryStream(root);
      if (ds instanceof SecureDirectoryStream<Path> s) {
        return s;
      }
      ds.close();
      throw new IOException("no SecureDirectoryStream on this platform");
    }

    @Override
    public void close() {
      for (SecureDirectoryStream<Path> d : dirs) {
        try {
          d.close();
        } catch (IOException ignored) {
          // nothing left to do with it
        }
      }
      dirs.clear();
    }
  }

  private static List<String> split(Path relative) {
    List<String> parts = new ArrayList<>();
    for (Path n : relative) {
      parts.add(n.toString());
    }
    return parts;
  }
}
