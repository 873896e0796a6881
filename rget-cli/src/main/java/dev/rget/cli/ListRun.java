package dev.rget.cli;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The downloads of a URL list ({@code rget get -i}), at most {@code jobs} at once. No thread waits
 * on a download: each one that ends starts the next from its completion, so the only threads are
 * the downloads' own, on the engine's pool that reuses them from one download to the next.
 */
final class ListRun {
  /** Told of every started download's outcome, from the thread that completed it. */
  interface Listener {
    /** {@code uri}'s download has started (before its outcome can be known). */
    default void started(URI uri, Download download) {}

    void done(URI uri, Download download, DownloadResult result);

    /** @param download {@code null} if it could not even be started */
    void failed(URI uri, Download download, DownloadException failure);
  }

  private final List<URI> uris;
  private final int jobs;
  private final Function<URI, Download> starter;
  private final Listener listener;
  /** Exit code of each URL, in list order. */
  private final int[] codes;
  private final CountDownLatch ended;
  private final List<Download> running = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Serialises {@link #fill}: a download that ends at once must not start the next recursively. */
  private final AtomicInteger fillers = new AtomicInteger();
  private int next;
  private volatile boolean cancelled;

  /**
   * @param starter starts the download of one URL
   */
  ListRun(List<URI> uris, int jobs, Function<URI, Download> starter, Listener listener) {
    if (jobs < 1) {
      throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
    }
    this.uris = List.copyOf(uris);
    this.jobs = jobs;
    this.starter = starter;
    this.listener = listener;
    this.codes = new int[uris.size()];
    this.ended = new CountDownLatch(uris.size());
  }

  /**
   * Runs every download and returns each one's exit code, in list order. A URL not started
   * because of {@link #cancel} counts as cancelled.
   */
  int[] run() throws InterruptedException {
    fill();
    ended.await();
    return codes.clone();
  }

  /** Cancels the running downloads and starts no more (Ctrl-C). */
  void cancel() {
    cancelled = true;
    List<Download> snapshot;
    synchronized (running) {
      snapshot = new ArrayList<>(running);
    }
    snapshot.forEach(Download::cancel);
    fill();
  }

  /** The downloads running now. */
  List<Download> running() {
    synchronized (running) {
      return new ArrayList<>(running);
    }
  }

  private void fill() {
    if (fillers.getAndIncrement() != 0) {
      return; // the thread in the loop below goes round once more
    }
    do {
      while (next < uris.size() && (cancelled || inFlight.get() < jobs)) {
        int i = next++;
        if (cancelled) {
          // Not started: counted as cancelled, but not reported one line each (a long list
          // would scroll the run's real outcomes away).
          codes[i] = FailureKind.CANCELLED.exitCode();
          ended.countDown();
        } else {
          inFlight.incrementAndGet();
          start(i);
        }
      }
    } while (fillers.decrementAndGet() != 0);
  }

  private void start(int i) {
    URI uri = uris.get(i);
    Download d;
    try {
      d = starter.apply(uri);
    } catch (RuntimeException e) {
      inFlight.decrementAndGet();
      finish(i, null, null, new DownloadException(FailureKind.INTERNAL,
          "internal error: " + e, e));
      return;
    }
    synchronized (running) {
      running.add(d);
    }
    listener.started(uri, d);
    if (cancelled) {
      d.cancel(); // cancel() may have taken its snapshot just before this download was added
    }
    d.result().whenComplete((r, e) -> {
      synchronized (running) {
        running.remove(d);
      }
      inFlight.decrementAndGet();
      finish(i, d, r, e);
      fill();
    });
  }

  private void finish(int i, Download d, DownloadResult r, Throwable e) {
    URI uri = uris.get(i);
    if (e == null) {
      codes[i] = ExitCodes.OK;
      listener.done(uri, d, r);
    } else {
      Throwable cause = e instanceof CompletionException && e.getCause() != null
          ? e.getCause() : e;
      DownloadException failure = cause instanceof DownloadException de ? de
          : new DownloadException(FailureKind.INTERNAL, "internal error: " + cause, cause);
      codes[i] = failure.kind().exitCode();
      listener.failed(uri, d, failure);
    }
    ended.countDown();
  }
}
