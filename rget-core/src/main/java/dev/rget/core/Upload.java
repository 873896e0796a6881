package dev.rget.core;

import dev.rget.core.upload.TusUpload;
import java.util.concurrent.CompletableFuture;

/**
 * A running upload (see {@link Rget#upload}): its eventual result, a live progress view, and a
 * way to stop it; the same shape as {@link Download}.
 */
public interface Upload {

  /**
   * Completes with the result, or exceptionally with a {@link DownloadException} whose
   * {@link DownloadException#kind()} says why. The upload's state is kept on failure, so the same
   * call later resumes from what the server holds.
   */
  CompletableFuture<TusUpload.Result> result();

  /**
   * The progress right now: {@link Progress#doneBytes()} is what the server confirmed holding
   * (bytes resumed from earlier runs included), the rate is this run's.
   */
  Progress progress();

  /**
   * Stops the upload at once (the request in flight is abandoned), keeping its state for a later
   * resume. The result then completes with a {@link FailureKind#CANCELLED} failure. Returns at
   * once; safe to call more than once.
   */
  void cancel();
}
