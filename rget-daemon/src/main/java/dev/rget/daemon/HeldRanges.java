package dev.rget.daemon;

import dev.rget.core.SafeText;
import dev.rget.core.range.ByteRange;
import dev.rget.core.state.BootId;
import dev.rget.core.state.PartFile;
import dev.rget.core.state.PrivateFiles;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a download that is not running holds on disk: the bytes the engine would keep if it
 * resumed now, read from its resume state ({@code FILE.rget} beside {@code FILE.part}) as the
 * engine reads it: the ranges trusted in this boot, cut at the part file's end and the recorded
 * length ({@link ResumeState#kept}). Only reads. A paused download shows this after a restart,
 * and any run that ended unfinished shows it rather than what the run had in memory, so that the
 * daemon never reports a byte a resume would fetch again.
 */
final class HeldRanges {
  /** Nothing held (no state, or one the engine would not use), length unknown. */
  static final Held NONE = new Held(-1, List.of());

  /**
   * @param length the file's length as recorded, or -1 when unknown
   * @param written the bytes held, sorted and disjoint
   */
  record Held(long length, List<ByteRange> written) {
    Held {
      written = List.copyOf(written);
    }

    /** The number of bytes held. */
    long bytes() {
      long n = 0;
      for (ByteRange r : written) {
        n += r.length();
      }
      return n;
    }
  }

  private HeldRanges() {}

  /**
   * What the partial download of {@code uri} to {@code out} holds. {@link #NONE} wherever the
   * engine would start from zero: no state or part file, a corrupt state, a state of another URL
   * or of unknown length, files another user could have written.
   *
   * @throws IOException if the files exist but cannot be read
   */
  static Held read(Path out, URI uri) throws IOException {
    Path state = StateStore.pathFor(out);
    Path part = PartFile.pathFor(out);
    try {
      if (!Files.exists(state, LinkOption.NOFOLLOW_LINKS) || !Files.exists(part, LinkOption.NOFOLLOW_LINKS)
          || PrivateFiles.whyNotPrivate(state) != null || PrivateFiles.whyNotPrivate(part) != null) {
        return NONE;
      }
      ResumeState st = new StateStore(state).load();
      if (!st.url().equals(SafeText.withoutPassword(uri)) || st.remote().length() < 0) {
        return NONE;
      }
      return new Held(st.remote().length(), st.kept(BootId.current(), Files.size(part)).ranges());
    } catch (StateStore.CorruptStateException e) {
      return NONE; // the engine ignores such a state and starts from zero
    } catch (NoSuchFileException e) {
      return NONE; // removed since the check (a run finished or discarded it): nothing held
    }
  }
}
