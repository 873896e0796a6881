package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.range.ByteRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fetches the missing ranges of a file over several connections at once. When range support is
 * not yet known, it starts with one connection and opens the others only after the first 206.
 */
final class ParallelFetch {
  private final FetchContext ctx;
  private final List<ByteRange> missing;
  private final int connections;
  private final boolean rangesKnown;

  ParallelFetch(FetchContext ctx, List<ByteRange> missing, int connections, boolean rangesKnown) {
    this.ctx = ctx;
    this.missing = missing;
    this.connections = connections;
    this.rangesKnown = rangesKnown;
  }

  /**
   * Runs until every missing byte is written or the download stops.
   *
   * @throws RangesIgnoredException with the open 200 response, to become a single stream
   * @throws RemoteChangedException when the remote version changed
   * @throws DownloadException on a permanent failure, or cancellation
   */
  void run() throws IOException, InterruptedException {
    long total = missing.stream().mapToLong(ByteRange::length).sum();
    long minSplit = ctx.options.minSplitSize();
    int workers = (int) Math.max(1, Math.min(connections, (total + minSplit - 1) / minSplit));
    SegmentScheduler scheduler = new SegmentScheduler(missing, workers, minSplit);
    ctx.onStop(scheduler::stop);
    if (ctx.stopped()) {
      scheduler.stop();
    }
    AtomicInteger live = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    AtomicBoolean confirmed = new AtomicBoolean(rangesKnown);
    Runnable onConfirmed = () -> {
      if (confirmed.compareAndSet(false, true)) {
        synchronized (threads) {
          for (int i = 1; i < workers; i++) {
            spawn(threads, live, scheduler, null);
          }
        }
      }
    };
    synchronized (threads) {
      int first = rangesKnown ? workers : 1;
      for (int i = 0; i < first; i++) {
        spawn(threads, live, scheduler, onConfirmed);
      }
    }
    // Join every connection, including ones started while waiting.
    for (int i = 0; ; i++) {
      Thread t;
      synchronized (threads) {
        if (i >= threads.size()) {
          break;
        }
        t = threads.get(i);
      }
      t.join();
    }
    Throwable reason = ctx.stopReason();
    if (reason instanceof IOException io) {
      throw io;
    }
    if (reason != null) {
      throw new DownloadException(FailureKind.INTERNAL, "unexpected: " + reason, reason);
    }
    if (!scheduler.isComplete()) {
      throw new DownloadException(FailureKind.INTERNAL,
          "bug: all connections ended with ranges left to fetch");
    }
  }

  private void spawn(List<Thread> threads, AtomicInteger live, SegmentScheduler scheduler,
      Runnable onConfirmed) {
    live.incrementAndGet();
    SegmentWorker w = new SegmentWorker(ctx, scheduler, live, onConfirmed == null ? () -> { } : onConfirmed);
    Thread t = new Thread(w, "rget-conn-" + (threads.size() + 1));
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }
}
