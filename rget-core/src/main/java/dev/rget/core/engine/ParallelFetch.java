package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.range.ByteRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fetches the missing ranges of a file over several connections at once. The probe's open 206,
 * when it holds the first missing bytes, becomes the first connection's first segment.
 */
final class ParallelFetch {
  private final FetchContext ctx;
  private final List<ByteRange> missing;
  private final int connections;

  ParallelFetch(FetchContext ctx, List<ByteRange> missing, int connections) {
    this.ctx = ctx;
    this.missing = missing;
    this.connections = connections;
  }

  /**
   * Runs until every missing byte is written or the download stops.
   *
   * @param probe the probe, whose 206 body is used if it starts where the first hole does;
   *     otherwise it is closed
   * @throws RangesIgnoredException with the open 200 response, to become a single stream
   * @throws RemoteChangedException when the remote version changed
   * @throws DownloadException on a permanent failure, or cancellation
   */
  void run(Probe probe) throws IOException, InterruptedException {
    long total = missing.stream().mapToLong(ByteRange::length).sum();
    long minSplit = ctx.options.minSplitSize();
    int workers = (int) Math.max(1, Math.min(connections, (total + minSplit - 1) / minSplit));
    List<ByteRange> rest = new ArrayList<>(missing);
    long adoptedEnd = -1;
    ByteRange first = rest.get(0);
    if (probe.hasPartialBody() && first.first() == 0) {
      // The probe's body carries the file's first bytes: they make the first segment.
      adoptedEnd = Math.min(first.endExclusive(), probe.asked().endExclusive());
      rest.remove(0);
      if (adoptedEnd < first.endExclusive()) {
        rest.add(0, ByteRange.ofHalfOpen(adoptedEnd, first.endExclusive()));
      }
    } else {
      probe.close();
    }
    SegmentScheduler scheduler = new SegmentScheduler(rest, workers, minSplit);
    ctx.onStop(scheduler::stop);
    if (ctx.stopped()) {
      scheduler.stop();
    }
    AtomicInteger live = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      SegmentWorker w = new SegmentWorker(ctx, scheduler, live);
      if (i == 0) {
        w.inDownloadSlot();
      }
      if (i == 0 && adoptedEnd > 0) {
        w.startingWith(scheduler.adopt(0, adoptedEnd),
            new SegmentWorker.Opened(probe.body(), probe.asked()));
      }
      live.incrementAndGet();
      Thread t = new Thread(w, "rget-conn-" + (i + 1));
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
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
}
