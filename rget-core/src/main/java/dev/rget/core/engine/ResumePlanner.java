package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.SafeText;
import dev.rget.core.http.Validators;
import dev.rget.core.range.RangeSet;
import dev.rget.core.state.PrivateFiles;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Decides which bytes of an earlier, interrupted download may be kept: it reads the state file
 * next to the output, checks that it belongs to this URL and to the remote version the probe
 * just described, and trusts only what survived (after a reboot, only what was forced to disk).
 * Everything else is fetched again. Reads files, writes none.
 */
final class ResumePlanner {
  private final URI url;
  private final String bootId;
  private final boolean failIfChanged;
  private final Consumer<String> notices;

  /**
   * @param url the URL the download started from
   * @param bootId this boot's id: bytes not forced before another boot are not trusted
   * @param failIfChanged stop instead of starting over when the remote file changed
   */
  ResumePlanner(URI url, String bootId, boolean failIfChanged, Consumer<String> notices) {
    this.url = url;
    this.bootId = bootId;
    this.failIfChanged = failIfChanged;
    this.notices = notices;
  }

  /**
   * Which bytes of an existing part file may be kept.
   *
   * @param written bytes the part file holds for the remote version
   * @param durable those of them known to survive a power cut
   */
  record Plan(RangeSet written, RangeSet durable) {
    static Plan fromZero() {
      return new Plan(new RangeSet(), new RangeSet());
    }
  }

  /** Whether a saved state was written by a download of this URL (or of where it leads). */
  boolean isSameDownload(ResumeState st, RemoteFile remote) {
    return st.url().equals(SafeText.withoutPassword(url))
        || st.finalUrl().equals(SafeText.withoutPassword(remote.finalUri()));
  }

  /** What to keep of {@code partPath}, whose resume state {@code store} holds, for {@code remote}. */
  Plan plan(StateStore store, Path partPath, RemoteFile remote) throws IOException {
    boolean partExists = Files.exists(partPath, LinkOption.NOFOLLOW_LINKS);
    if (partExists) {
      // Written to, or truncated, in any case: it must be a file only this user controls.
      refuseUnlessPrivate(partPath);
    }
    if (!store.exists()) {
      // An empty part file is the one FreeName just claimed: nothing in it to distrust.
      if (partExists && Files.size(partPath) > 0) {
        notices.accept(partPath.getFileName() + " has no state file "
            + store.path().getFileName() + ": its bytes cannot be trusted, starting from zero");
      }
      return Plan.fromZero();
    }
    ResumeState st;
    try {
      st = store.load();
    } catch (StateStore.CorruptStateException e) {
      notices.accept("state file " + store.path().getFileName() + " is unusable ("
          + e.getMessage() + "): ignoring it and starting from zero");
      return Plan.fromZero();
    } catch (DownloadException e) {
      throw e;
    } catch (IOException e) {
      throw new DownloadException(FailureKind.LOCAL_IO, "cannot read " + store.path() + ": "
          + RequestSender.describe(e), e);
    }
    refuseUnlessPrivate(store.path());
    if (!isSameDownload(st, remote)) {
      notices.accept("state file " + store.path().getFileName() + " belongs to a download of "
          + st.url() + ": starting from zero");
      return Plan.fromZero();
    }
    if (!partExists) {
      notices.accept(partPath.getFileName() + " is missing: starting from zero");
      return Plan.fromZero();
    }
    Validators now = remote.validators();
    if (now.length() < 0 || st.remote().length() < 0) {
      notices.accept("the file's length is unknown, so a partial download cannot be resumed:"
          + " starting from zero");
      return Plan.fromZero();
    }
    if (!st.remote().sameVersionAs(now)) {
      String msg = "the remote file changed since the partial download (was "
          + st.remote().describe() + ", now " + now.describe() + ")";
      if (failIfChanged) {
        throw new DownloadException(FailureKind.REMOTE_CHANGED,
            msg + "; stopping as asked (--fail-if-changed)");
      }
      notices.accept(msg + "; starting over");
      return Plan.fromZero();
    }
    if (!now.hasValidator()) {
      notices.accept("the server sends no ETag or Last-Modified, so rget cannot tell whether the"
          + " remote file changed since the partial download; resuming on equal length only");
    } else if (remote.ifRange() == null && now.etag() != null) {
      notices.accept("the server has only a weak ETag, which If-Range cannot use; every resumed"
          + " part is checked against the recorded ETag instead");
    } else if (remote.ifRange() == null) {
      notices.accept("the server's Last-Modified is less than a second older than its Date (or it"
          + " sends no Date), so it is no strong validator for If-Range; every resumed part is"
          + " checked against the recorded Last-Modified instead");
    }
    RangeSet written = st.trusted(bootId);
    if (written.size() < st.written().size()) {
      notices.accept("the system restarted since the last run: keeping the " + written.size()
          + " bytes that were forced to disk, fetching the rest again");
    }
    // Nothing beyond the part file's end or the file's length can be there (the recorded length
    // is now's: sameVersionAs compared them).
    long limit = Math.min(Files.size(partPath), now.length());
    RangeSet kept = st.kept(bootId, Files.size(partPath));
    RangeSet durable = st.durable().copy();
    durable.remove(limit, Long.MAX_VALUE);
    return new Plan(kept, durable);
  }

  /**
   * A partial download is resumed, or its part file reused, only when no other user could have
   * planted or changed it.
   */
  static void refuseUnlessPrivate(Path p) throws IOException {
    String why = PrivateFiles.whyNotPrivate(p);
    if (why != null) {
      throw new DownloadException(FailureKind.LOCAL_IO, "not using " + p + ": " + why
          + " (remove it, or choose another output name)");
    }
  }
}
