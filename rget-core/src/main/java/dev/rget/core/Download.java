package dev.rget.core;

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
   * Stops the download, keeping what was fetched for a later resume. The result then completes
   * with a {@link FailureKind#CANCELLED} failure. Returns at once; safe to call more than once.
   */
  void cancel();
}
