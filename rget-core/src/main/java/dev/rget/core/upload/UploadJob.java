package dev.rget.core.upload;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.Progress;
import dev.rget.core.Upload;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Runs one upload (a {@link ParallelUpload}: in parts, or as one {@link TusUpload}) on an executor
 * and is its {@link Upload} handle: the result future, progress from the server's confirmed
 * offsets, and cancel.
 */
public final class UploadJob implements Upload {
  private final ParallelUpload upload;
  private final String fileName;
  private final CompletableFuture<TusUpload.Result> result = new CompletableFuture<>();
  private final long startNanos = System.nanoTime();
  private volatile long total = -1;
  private volatile long done;
  /** The offset when this run first learnt it, to tell this run's rate from resumed bytes. */
  private volatile long base = -1;

  private UploadJob(Path file, URI endpoint, UploadOptions options, String fileName) throws DownloadException {
    this.upload = ParallelUpload.of(file, endpoint, options, this::progressed);
    this.fileName = fileName;
  }

  /**
   * Starts uploading {@code file} to {@code endpoint}; a bad endpoint gives a handle whose result
   * has already failed (kind USAGE).
   */
  public static Upload start(Path file, URI endpoint, UploadOptions options) {
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    UploadJob job;
    try {
      job = new UploadJob(file, endpoint, options, name);
    } catch (DownloadException e) {
      return failed(e);
    }
    Executor executor = options.executor();
    if (executor == null) {
      Thread t = new Thread(job::run, "rget-upload");
      // An upload never keeps the JVM alive; result() is how to wait for it.
      t.setDaemon(true);
      t.start();
    } else {
      executor.execute(job::run);
    }
    return job;
  }

  private void run() {
    try {
      result.complete(upload.run());
    } catch (DownloadException e) {
      result.completeExceptionally(e);
    } catch (RuntimeException | Error e) {
      result.completeExceptionally(new DownloadException(FailureKind.INTERNAL, "upload failed: " + e, e));
      if (e instanceof Error err) {
        throw err;
      }
    }
  }

  private void progressed(long offset, long length) {
    total = length;
    if (base < 0) {
      base = offset;
    }
    done = offset;
  }

  @Override
  public CompletableFuture<TusUpload.Result> result() {
    return result;
  }

  @Override
  public Progress progress() {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    long sent = base < 0 ? 0 : done - base;
    long rate = elapsed.toMillis() <= 0 ? 0 : sent * 1000 / elapsed.toMillis();
    return new Progress(total, done, rate, result.isDone() ? 0 : 1, elapsed, fileName);
  }

  @Override
  public void cancel() {
    upload.cancel();
  }

  private static Upload failed(DownloadException e) {
    CompletableFuture<TusUpload.Result> f = CompletableFuture.failedFuture(e);
    return new Upload() {
      @Override
      public CompletableFuture<TusUpload.Result> result() {
        return f;
      }

      @Override
      public Progress progress() {
        return new Progress(-1, 0, 0, 0, Duration.ZERO, null);
      }

      @Override
      public void cancel() {
        // Nothing runs.
      }
    };
  }
}
