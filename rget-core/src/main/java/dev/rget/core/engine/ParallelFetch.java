package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.range.ByteRange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fetches the missing ranges of a file over several connections at once, each a task on the
 * download's executor. The probe's open 206, when it holds the first missing bytes, becomes the
 * first connection's first segment. It returns only once every connection has left: a fall
 * back to one stream never overlaps a connection still writing. After a stop, connections the
 * executor has not started yet never start (see {@link TaskGroup}).
 */
final class ParallelFetch {
  private final FetchContext ctx;
  private final List<ByteRange> missing;
  private final int connections;
  private final Executor executor;
  /** Set once {@link #run} has planned the segments. */
  private volatile SegmentScheduler scheduler;

  ParallelFetch(FetchContext ctx, List<ByteRange> missing, int connections, Executor executor) {
    this.ctx = ctx;
    this.missing = missing;
    this.connections = connections;
    this.executor = executor;
  }

  /**
   * Runs until every missing byte is written, ranges turn out unusable, or the download stops.
   *
   * @param probe the probe, whose 206 body is used if it starts where the first hole does;
   *     otherwise it is closed
   * @return {@link FetchOutcome.Done}, or {@link FetchOutcome.FallBack} to continue as one stream
   * @throws RemoteChangedException when the remote version changed
   * @throws DownloadException on a permanent failure, or cancellation
   */
  FetchOutcome run(Probe probe) throws IOException {
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
    SegmentScheduler scheduler = new SegmentScheduler(rest, workers, minSplit, ctx.clock);
    this.scheduler = scheduler;
    ctx.stop.onStop(scheduler::stop);
    AtomicInteger live = new AtomicInteger();
    TaskGroup running = new TaskGroup(executor);
    ctx.stop.onStop(running::close);
    ConnectionRamp ramp = ctx.options.adaptiveConnections() ? new ConnectionRamp(workers)
        : ConnectionRamp.fixed(workers);
    for (int i = 0; i < ramp.initial(); i++) {
      SegmentWorker w = new SegmentWorker(ctx, scheduler, live);
      if (i == 0) {
        w.inDownloadSlot();
      }
      if (i == 0 && adoptedEnd > 0) {
        w.startingWith(scheduler.adopt(0, adoptedEnd),
            new SegmentWorker.Opened(probe.body(), probe.asked()));
      }
      launch(w, live, running);
    }
    awaitWorkers(running, ramp, () -> launch(new SegmentWorker(ctx, scheduler, live), live,
        running));
    FetchOutcome.FallBack fallBack = ctx.fallBack();
    Throwable reason = ctx.stop.reason();
    if (fallBack != null && reason instanceof FetchContext.FallBackSignal) {
      return fallBack;
    }
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
    return new FetchOutcome.Done();
  }

  /** The ranges connections are fetching now (see {@link SegmentScheduler#inFlight()}). */
  List<ByteRange> inFlight() {
    SegmentScheduler s = scheduler;
    return s == null ? List.of() : s.inFlight();
  }

  /** Runs one connection on the executor. */
  private void launch(SegmentWorker w, AtomicInteger live, TaskGroup running) {
    live.incrementAndGet();
    try {
      running.execute(w);
    } catch (RejectedExecutionException e) {
      live.decrementAndGet();
      ctx.stop.stop(new DownloadException(FailureKind.INTERNAL,
          "the executor refused a connection's task: " + e, e));
    }
  }

  /**
   * Waits for every connection to leave, adding connections while the ramp says they pay. After
   * a stop, every wait of theirs wakes at once, so they leave promptly.
   */
  private void awaitWorkers(TaskGroup running, ConnectionRamp ramp, Runnable addOne)
      throws IOException {
    try {
      while (!running.awaitEnd(TimeUnit.MILLISECONDS.toNanos(ramp.settled() ? 50 : 10))) {
        if (!ctx.stop.stopped()) {
          for (int n = ramp.tick(ctx.clock.getAsLong(), ctx.fetched.get()); n > 0; n--) {
            addOne.run();
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ctx.stop.stop(new DownloadException(FailureKind.CANCELLED, "interrupted", e));
      throw ctx.stop.asException();
    }
  }
}
