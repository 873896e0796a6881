package dev.rget.core.engine;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.DownloadResult;
import dev.rget.core.Rget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Test helpers: run a download to its end, wait for progress, hash files. */
final class Downloads {
  private Downloads() {}

  /** Options suited to tests: small splits, short timeouts, notices collected. */
  static DownloadOptions.Builder testOptions(List<String> notices) {
    return DownloadOptions.builder()
        .minSplitSize(256 * 1024)
        .stallTimeout(Duration.ofSeconds(5))
        .connectTimeout(Duration.ofSeconds(5))
        .notices(notices::add);
  }

  static List<String> notices() {
    return new CopyOnWriteArrayList<>();
  }

  /** Runs a download to its end; returns the result or throws its DownloadException. */
  static DownloadResult run(URI uri, Path out, DownloadOptions options) throws DownloadException {
    return await(Rget.download(uri, out, options));
  }

  static DownloadResult await(Download d) throws DownloadException {
    try {
      return d.result().get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DownloadException de) {
        throw de;
      }
      throw new AssertionError("unexpected failure", e.getCause());
    } catch (Exception e) {
      throw new AssertionError("download did not finish", e);
    }
  }

  /** Polls the download's progress until {@code condition} holds (bounded). */
  static void awaitProgress(Download d, Predicate<dev.rget.core.Progress> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.test(d.progress())) {
      if (System.nanoTime() > deadline || d.result().isDone()) {
        throw new AssertionError("condition not reached; progress " + d.progress()
            + ", done=" + d.result().isDone());
      }
      Thread.sleep(10);
    }
  }

  /** Cancels and waits until the download has stopped (its state saved). */
  static void cancelAndWait(Download d) {
    d.cancel();
    try {
      d.result().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("cancel did not finish", e);
    }
  }

  static String sha256(Path file) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(Files.readAllBytes(file));
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
