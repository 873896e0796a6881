package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.DownloadResult;
import dev.rget.core.Rget;
import dev.rget.core.range.ByteRange;
import dev.rget.core.state.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Helpers for the hostile-network tests: options with short timeouts, running a real download
 * against a {@link dev.rget.testkit.FaultServer} to its result or its failure, and checking files
 * byte for byte.
 */
final class HostileDownloads {
  /** Longest any single download in these tests may take before the test fails. */
  static final Duration LIMIT = Duration.ofSeconds(60);

  /** Notices the engine sent, in order. */
  final List<String> notices = new CopyOnWriteArrayList<>();

  /**
   * Options for tests: 4 connections, 256 KiB split size, 1.5 s stall and connect timeouts, three
   * retries. Notices land in {@link #notices}.
   */
  DownloadOptions.Builder options() {
    return DownloadOptions.builder()
        .connections(4)
        .minSplitSize(256 * 1024)
        .stallTimeout(Duration.ofMillis(1500))
        .connectTimeout(Duration.ofMillis(1500))
        .retries(3)
        .notices(notices::add);
  }

  /** Runs a download to completion; fails the test if it fails. */
  static DownloadResult complete(URI uri, Path out, DownloadOptions options) throws Exception {
    return await(Rget.download(uri, out, options));
  }

  /** Waits for a started download's result; fails the test if it fails. */
  static DownloadResult await(Download d) throws Exception {
    try {
      return d.result().get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("download failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      d.cancel();
      throw new AssertionError("download did not finish within " + LIMIT, e);
    }
  }

  /** Runs a download that must fail, and returns its failure. */
  static DownloadException failure(URI uri, Path out, DownloadOptions options) throws Exception {
    return awaitFailure(Rget.download(uri, out, options));
  }

  /** Waits for a started download that must fail, and returns its failure. */
  static DownloadException awaitFailure(Download d) throws Exception {
    try {
      DownloadResult r = d.result().get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      return fail("expected a failure, got " + r);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DownloadException.class);
      DownloadException de = (DownloadException) e.getCause();
      // One line a user can read: no line breaks, something more than the class name.
      assertThat(de.getMessage()).doesNotContain("\n").hasSizeGreaterThan(10);
      return de;
    } catch (TimeoutException e) {
      d.cancel();
      throw new AssertionError("download did not end within " + LIMIT, e);
    }
  }

  /**
   * Cancels a download once {@code condition} holds (polled every 5 ms), then waits for it to
   * end. Fails the test if the condition never holds or the download finishes first.
   */
  static void cancelWhen(Download d, BooleanSupplier condition) throws Exception {
    awaitCondition(() -> condition.getAsBoolean() || d.result().isDone(), LIMIT);
    assertThat(d.result().isDone()).as("download ended before it could be interrupted").isFalse();
    d.cancel();
    try {
      d.result().get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      fail("a cancelled download must not succeed");
    } catch (ExecutionException expected) {
      // CANCELLED, as asked
    }
  }

  /** Polls {@code condition} every 5 ms until it holds; fails the test on timeout. */
  static void awaitCondition(BooleanSupplier condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("condition not met within " + timeout);
      }
      Thread.sleep(5);
    }
  }

  /** Lowercase hex SHA-256 of a file. */
  static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  /** The part file beside {@code out}. */
  static Path part(Path out) {
    return out.resolveSibling(out.getFileName() + ".part");
  }

  /** The byte ranges the saved resume state records as written; empty without a state file. */
  static List<ByteRange> writtenRanges(Path out) throws IOException {
    StateStore store = new StateStore(state(out));
    return store.exists() ? store.load().written().ranges() : List.of();
  }

  /** The resume state file beside {@code out}. */
  static Path state(Path out) {
    return out.resolveSibling(out.getFileName() + ".rget");
  }
}
