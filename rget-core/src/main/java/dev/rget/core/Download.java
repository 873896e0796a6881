package dev.rget.core;

import dev.rget.core.range.ByteRange;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A running download: its eventual result, a live progress view, and a way to stop it. */
public interface Download {

  /**
   * Completes with the result, or exceptionally with a {@link DownloadException} whose
   * {@link DownloadException#kind()} says why. The part file and state are kept on failure, so the
   * same call later resumes.
   */
  CompletableFuture<DownloadResult> result();

  /** The progress right now. */
  Progress progress();

  /**
   * Where the file stands byte by byte, for a picture of the download: the ranges written to the
   * part file so far, and the ranges connections have been given and are fetching right now (not
   * yet written). Both sorted and disjoint; empty before the download knows its file. Read-only.
   */
  default Ranges ranges() {
    return Ranges.NONE;
  }

  /**
   * A snapshot for {@link #ranges()}.
   *
   * @param written bytes in the part file
   * @param inFlight bytes assigned to a connection and not yet written
   */
  record Ranges(List<ByteRange> written, List<ByteRange> inFlight) {
    /** No range known. */
    public static final Ranges NONE = new Ranges(List.of(), List.of());

    /** Copies the lists. */
    public Ranges {
      written = List.copyOf(written);
      inFlight = List.copyOf(inFlight);
    }
  }

  /**
   * Stops the download, keeping what was fetched for a later resume. The result then completes
   * with a {@link FailureKind#CANCELLED} failure. Returns at once; safe to call more than once.
   */
  void cancel();
}
