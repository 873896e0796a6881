package dev.rget.core.state;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * The download's own files ({@code OUT.part}, {@code OUT.rget}, {@code OUT.rget.tmp}) in a
 * directory that others may write to: they are created readable and writable by their owner only,
 * never opened through a symbolic link (one planted there would make rget overwrite its target),
 * and trusted for a resume only when they are regular files of the current user that no other
 * user can write.
 */
public final class PrivateFiles {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final FileAttribute<?>[] OWNER_ONLY = POSIX
      ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------"))}
      : new FileAttribute<?>[0];

  private PrivateFiles() {}

  /**
   * Opens {@code path} for reading and writing at any offset, creating it owner-only if it is
   * missing; never truncates, never follows a symbolic link.
   *
   * @throws DownloadException of kind {@link FailureKind#LOCAL_IO} if a symbolic link or
   *     something other than a regular file is there
   */
  public static FileChannel openReadWrite(Path path) throws IOException {
    refuseUnlessRegularOrAbsent(path);
    return open(path, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE));
  }

  /**
   * Creates {@code path} owner-only for writing; fails with
   * {@link java.nio.file.FileAlreadyExistsException} if anything, a link included, is there.
   */
  public static FileChannel createNew(Path path) throws IOException {
    return open(path, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
  }

  private static FileChannel open(Path path, Set<StandardOpenOption> options) throws IOException {
    Set<OpenOption> all = new java.util.HashSet<>(options);
    all.add(LinkOption.NOFOLLOW_LINKS);
    try {
      return FileChannel.open(path, all, OWNER_ONLY);
    } catch (FileSystemException e) {
      // A link planted between the check and the open: O_NOFOLLOW refused it (ELOOP).
      if (Files.isSymbolicLink(path)) {
        throw symlink(path, e);
      }
      throw e;
    }
  }

  /** Fails if a symbolic link or anything other than a regular file is at {@code path}. */
  public static void refuseUnlessRegularOrAbsent(Path path) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return;
    }
    if (a.isSymbolicLink()) {
      throw symlink(path, null);
    }
    if (!a.isRegularFile()) {
      throw new DownloadException(FailureKind.LOCAL_IO, path + " is not a regular file;"
          + " rget does not write to it (remove it or choose another output name)");
    }
  }

  /**
   * Why a partial download's file may not be resumed, or {@code null} if it is a regular file
   * owned by the current user that neither its group nor others can write. Never follows links.
   */
  public static String whyNotPrivate(Path path) throws IOException {
    BasicFileAttributes basic =
        Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (basic.isSymbolicLink()) {
      return "it is a symbolic link";
    }
    if (!basic.isRegularFile()) {
      return "it is not a regular file";
    }
    if (!POSIX) {
      return null;
    }
    PosixFileAttributes a =
        Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    UserPrincipal me = CurrentUser.PRINCIPAL;
    if (me == null || !a.owner().equals(me)) {
      return "it is owned by " + a.owner().getName() + ", not by " + System.getProperty("user.name");
    }
    Set<PosixFilePermission> p = a.permissions();
    if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
      return "other users can write to it (mode " + PosixFilePermissions.toString(p) + ")";
    }
    return null;
  }

  /**
   * Gives a finished file the permissions a newly created file gets (0666 less the umask), as
   * {@code cp} or {@code curl -o} would: the part file was owner-only only while it was partial.
   */
  public static void setDefaultPermissions(Path path) throws IOException {
    if (POSIX) {
      Files.setPosixFilePermissions(path, Umask.DEFAULT_FILE_PERMISSIONS);
    }
  }

  private static DownloadException symlink(Path path, Throwable cause) {
    return new DownloadException(FailureKind.LOCAL_IO, path + " is a symbolic link; rget never"
        + " writes through one (remove it if it is yours)", cause);
  }

  /** The current user, looked up once; {@code null} if the name does not resolve. */
  private static final class CurrentUser {
    static final UserPrincipal PRINCIPAL = lookup();

    private static UserPrincipal lookup() {
      try {
        return FileSystems.getDefault().getUserPrincipalLookupService()
            .lookupPrincipalByName(System.getProperty("user.name"));
      } catch (IOException | UnsupportedOperationException e) {
        // No such user in the password database: no file can be proven ours, so none is resumed.
        return null;
      }
    }
  }

  /** Permissions of a new file under the process umask (Linux: /proc/self/status; else 022). */
  private static final class Umask {
    static final Set<PosixFilePermission> DEFAULT_FILE_PERMISSIONS = compute();

    private static Set<PosixFilePermission> compute() {
      int umask = 022;
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"),
            StandardCharsets.US_ASCII)) {
          if (line.startsWith("Umask:")) {
            umask = Integer.parseInt(line.substring(6).trim(), 8);
          }
        }
      } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
        // Not Linux, or an old kernel: 022 is the usual default.
      }
      int mode = 0666 & ~umask;
      Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
      PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE,
          PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
          PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE,
          PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
      for (int i = 0; i < bits.length; i++) {
        if ((mode & (1 << i)) != 0) {
          set.add(bits[i]);
        }
      }
      return set;
    }
  }
}
