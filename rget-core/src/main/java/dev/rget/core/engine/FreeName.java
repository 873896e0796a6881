package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.state.PartFile;
import dev.rget.core.state.PrivateFiles;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Where a file goes whose name came from the server (Content-Disposition, the redirect target,
 * the URL path): {@code NAME}, else {@code NAME.1}, {@code NAME.2} ... as wget does, so that a
 * server never replaces an existing file. The first candidate that is either this download's own
 * partial download (its state file is ours and names the same URL) or wholly free wins; a free
 * one is claimed at once by creating its empty part file, so two downloads of one list never take
 * the same name. Running the same command again thus finds and resumes the same partial download.
 */
final class FreeName {
  /** Highest suffix tried before giving up. */
  static final int MAX_SUFFIX = 9999;

  /** The chosen output, and whether it holds a partial download of ours. */
  record Choice(Path out, boolean resumable) {}

  private FreeName() {}

  /**
   * Picks the output for {@code name} in {@code dir}.
   *
   * @param ours whether a saved state belongs to this download
   */
  static Choice choose(Path dir, String name, Predicate<ResumeState> ours) throws IOException {
    for (int i = 0; i <= MAX_SUFFIX; i++) {
      Path out = dir.resolve(i == 0 ? name : name + "." + i);
      if (exists(out)) {
        continue;
      }
      if (isOurs(out, ours)) {
        return new Choice(out, true);
      }
      if (claim(out)) {
        return new Choice(out, false);
      }
    }
    throw new DownloadException(FailureKind.LOCAL_IO, "no free name for " + name + " in " + dir
        + " (" + name + " to " + name + "." + MAX_SUFFIX + " are all taken)");
  }

  /** The name a later run would resume: a candidate whose state file exists, if any is before a free one. */
  static boolean anyStateFor(Path dir, String name) {
    for (int i = 0; i <= MAX_SUFFIX; i++) {
      Path out = dir.resolve(i == 0 ? name : name + "." + i);
      if (exists(stateOf(out))) {
        return true;
      }
      if (!exists(out) && !exists(partOf(out))) {
        return false;
      }
    }
    return false;
  }

  private static boolean isOurs(Path out, Predicate<ResumeState> ours) throws IOException {
    Path state = stateOf(out);
    Path part = partOf(out);
    if (!exists(state) || PrivateFiles.whyNotPrivate(state) != null
        || (exists(part) && PrivateFiles.whyNotPrivate(part) != null)) {
      return false;
    }
    try {
      return ours.test(new StateStore(state).load());
    } catch (StateStore.CorruptStateException e) {
      // Someone else's or a broken state: not a download this run may take over.
      return false;
    }
  }

  private static boolean claim(Path out) throws IOException {
    if (exists(stateOf(out)) || exists(tmpOf(out))) {
      return false;
    }
    try (FileChannel ch = PrivateFiles.createNew(partOf(out))) {
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    }
  }

  static Path partOf(Path out) {
    return PartFile.pathFor(out);
  }

  static Path stateOf(Path out) {
    return StateStore.pathFor(out);
  }

  private static Path tmpOf(Path out) {
    return out.resolveSibling(out.getFileName() + ".rget.tmp");
  }

  private static boolean exists(Path p) {
    return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
  }
}
