package dev.rget.core.engine;

import dev.rget.core.http.HttpDate;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where a download's file goes: the output the caller named, or in a directory a free name the
 * server or the URL suggests (never an existing file), or with {@code -N} the existing file to
 * compare with. Also tells whether a partial download of it is pending.
 */
final class OutputPlacement {
  private final URI url;
  private final Path target;
  private final boolean targetIsDirectory;
  private final boolean timestamping;
  private final ResumePlanner planner;
  private final Consumer<String> notices;

  /**
   * @param target the output file, or the directory to put it in
   * @param timestamping {@code -N}: download only when the server's copy is newer
   * @param planner tells whether a saved state belongs to this download
   */
  OutputPlacement(URI url, Path target, boolean targetIsDirectory, boolean timestamping,
      ResumePlanner planner, Consumer<String> notices) {
    this.url = url;
    this.target = target;
    this.targetIsDirectory = targetIsDirectory;
    this.timestamping = timestamping;
    this.planner = planner;
    this.notices = notices;
  }

  /** Whether a partial download of this output is pending (a state file is there). */
  boolean resuming() {
    return targetIsDirectory
        ? FreeName.anyStateFor(target, FileNames.fromUri(url))
        : target.getFileName() != null && Files.exists(FreeName.stateOf(target));
  }

  /**
   * The existing file {@code -N} asks the server about, or {@code null}: timestamping is off,
   * the file is not there, or a partial download of it is pending (that one resumes instead).
   */
  Path timestampingTarget() {
    if (!timestamping) {
      return null;
    }
    Path p = timestampingPath();
    if (p.getFileName() == null || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
        || Files.exists(FreeName.stateOf(p), LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    return p;
  }

  /** For a server that ignores If-Modified-Since: wget's comparison of time and length. */
  static boolean notNewer(RemoteFile remote, Path local, Instant localTime) throws IOException {
    Optional<Instant> remoteTime = HttpDate.parse(remote.validators().lastModified());
    return remoteTime.isPresent() && !remoteTime.get().isAfter(localTime)
        && remote.length() == Files.size(local);
  }

  /**
   * The output for {@code remote}, checked (see {@link OutputFile#checkPath}).
   *
   * @param stamped the file {@code -N} compared with, or {@code null}
   */
  Path choose(RemoteFile remote, Path stamped) throws IOException {
    Path out = stamped != null || (timestamping && targetIsDirectory)
        ? timestampingPath() : targetIsDirectory ? chooseFree(remote) : target;
    if (out != target) {
      OutputFile.checkPath(out);
    }
    return out;
  }

  /** The file {@code -N} compares with: the output, or in a directory the URL's name. */
  private Path timestampingPath() {
    return targetIsDirectory ? target.resolve(FileNames.fromUri(url)) : target;
  }

  /**
   * The output for a name the server chose, never an existing file (see {@link FreeName}); says
   * so when it is not the name itself.
   */
  private Path chooseFree(RemoteFile remote) throws IOException {
    String name = remote.fileName();
    OutputFile.checkPath(target.resolve(name));
    FreeName.Choice c = FreeName.choose(target, name, st -> planner.isSameDownload(st, remote));
    String chosen = c.out().getFileName().toString();
    if (!chosen.equals(name)) {
      notices.accept(name + " already exists; " + (c.resumable() ? "resuming the partial download "
          : "saving as ") + chosen);
    }
    return c.out();
  }
}
