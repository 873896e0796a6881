package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.HostLimiter;
import dev.rget.core.http.Headers;
import dev.rget.core.range.ByteRange;
import dev.rget.core.range.ContentRange;
import dev.rget.core.range.RangeHeader;
import dev.rget.core.transport.TransportResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection of a parallel download: takes segments from the scheduler and fetches each with
 * {@code Range: bytes=a-b}, checking every response before writing a byte of it. Transient
 * failures give the unfinished remainder back and retry after a backoff; bytes already written
 * are never fetched again.
 */
final class SegmentWorker implements Runnable {
  private final FetchContext ctx;
  private final SegmentScheduler scheduler;
  private final AtomicInteger liveWorkers;
  private final Runnable onRangesConfirmed;

  SegmentWorker(FetchContext ctx, SegmentScheduler scheduler, AtomicInteger liveWorkers,
      Runnable onRangesConfirmed) {
    this.ctx = ctx;
    this.scheduler = scheduler;
    this.liveWorkers = liveWorkers;
    this.onRangesConfirmed = onRangesConfirmed;
  }

  @Override
  public void run() {
    HostLimiter hosts = ctx.options.hostLimiter();
    String host = ctx.uri.getHost();
    try {
      if (hosts != null) {
        hosts.acquire(host);
      }
      try {
        loop();
      } finally {
        if (hosts != null) {
          hosts.release(host);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      liveWorkers.decrementAndGet();
    }
  }

  private void loop() throws InterruptedException {
    int failures = 0;
    while (true) {
      Segment seg = scheduler.acquire();
      if (seg == null) {
        return;
      }
      long before = seg.writtenSinceStart;
      RetryableException retry = null;
      try {
        fetch(seg);
        failures = 0;
      } catch (RetryableException e) {
        retry = e;
      } catch (InterruptedIOException e) {
        return;
      } catch (RemoteChangedException | RangesIgnoredException | DownloadException e) {
        ctx.stop(e);
        return;
      } catch (IOException | RuntimeException e) {
        ctx.stop(new DownloadException(FailureKind.INTERNAL, "unexpected: " + e, e));
        return;
      } finally {
        // Whatever happened, the unfinished remainder goes back for any connection to take.
        scheduler.release(seg);
      }
      if (retry == null) {
        continue;
      }
      if (ctx.stopped()) {
        return;
      }
      failures = seg.writtenSinceStart > before ? 1 : failures + 1;
      if (retry.throttled() && liveWorkers.get() > 1) {
        // The server says it is overloaded: drop this connection rather than hammer it.
        ctx.options.notices().accept(retry.getMessage() + "; using one connection fewer");
        return;
      }
      if (failures > ctx.options.retries()) {
        ctx.stop(new DownloadException(retry.kind(), retry.getMessage() + " (gave up after "
            + failures + " attempts)", retry));
        return;
      }
      sleep(Backoff.delay(failures, retry.retryAfter()));
    }
  }

  /** Fetches the segment to its end (which may shrink), one or more requests. */
  private void fetch(Segment seg) throws IOException {
    while (true) {
      long[] b = scheduler.bounds(seg);
      if (b[0] >= b[1] || ctx.stopped()) {
        return;
      }
      ByteRange requested = ByteRange.ofHalfOpen(b[0], b[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put(Headers.RANGE, RangeHeader.format(requested));
      headers.put(Headers.ACCEPT_ENCODING, "identity");
      String ifRange = ctx.ifRange();
      if (ifRange != null) {
        headers.put(Headers.IF_RANGE, ifRange);
      }
      TransportResponse r = ctx.sender.send("GET", ctx.uri, headers);
      boolean handedOver = false;
      ctx.opened(r);
      try {
        int status = r.status();
        if (status == 200) {
          onFullResponse(r, ifRange != null);
          continue;
        }
        if (status == 416) {
          throw on416(r);
        }
        if (status != 206) {
          throw RetryableException.protocol("unexpected HTTP " + HttpStatus.describe(status)
              + " to a range request from " + r.uri());
        }
        ByteRange got = ResponseChecker.checkPartial(r, requested, ctx.validators);
        onRangesConfirmed.run();
        if (!copyBody(r, seg, got)) {
          return;
        }
      } catch (RangesIgnoredException e) {
        handedOver = true;
        ctx.handOver(r);
        throw e;
      } finally {
        if (!handedOver) {
          ctx.closed(r);
        }
      }
    }
  }

  /**
   * Writes the body of a checked 206 into place. Returns false when the segment ended early
   * because its tail was stolen or the download stopped.
   */
  private boolean copyBody(TransportResponse r, Segment seg, ByteRange got) throws IOException {
    long pos = got.first();
    long stop = got.endExclusive();
    Duration stall = ctx.options.stallTimeout();
    while (pos < stop) {
      ByteBuffer chunk;
      try {
        chunk = r.next(stall);
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        if (ctx.stopped()) {
          return false;
        }
        throw RetryableException.network("connection lost after " + (pos - got.first()) + " of "
            + got.length() + " bytes of " + got + ": " + RequestSender.describe(e), e);
      }
      if (chunk == null) {
        throw RetryableException.network("server closed the connection after "
            + (pos - got.first()) + " of " + got.length() + " bytes of " + got, null);
      }
      int n = (int) Math.min(chunk.remaining(), stop - pos);
      long allowed = scheduler.claim(seg, n);
      if (allowed <= 0) {
        return false;
      }
      chunk.limit(chunk.position() + (int) allowed);
      ctx.rateLimiter.acquire(allowed);
      ctx.write(chunk, pos);
      ctx.ledger.add(pos, pos + allowed);
      scheduler.advance(seg, allowed);
      ctx.fetched.addAndGet(allowed);
      pos += allowed;
      if (allowed < n) {
        return false;
      }
    }
    // Read the end of the body so the connection can be reused for the next range.
    if (scheduler.bounds(seg)[0] < scheduler.bounds(seg)[1]) {
      try {
        r.next(stall);
      } catch (IOException e) {
        // The bytes are safely written; a connection that fails at the very end is just not reused.
      }
    }
    return true;
  }

  /**
   * A 200 to a ranged request. If the version is unchanged and we sent If-Range, the server is
   * mishandling If-Range: stop sending it and retry. Otherwise it does not do ranges.
   */
  private void onFullResponse(TransportResponse r, boolean sentIfRange) throws IOException {
    long declared = Headers.parseLength(r.header(Headers.CONTENT_LENGTH).orElse(null));
    if (declared >= 0 && declared != ctx.validators.length()) {
      throw new RemoteChangedException("the server now reports a length of " + declared
          + " bytes instead of " + ctx.validators.length());
    }
    ResponseChecker.checkVersion(r, ctx.validators);
    if (sentIfRange) {
      ctx.disableIfRange();
      return;
    }
    throw new RangesIgnoredException(r);
  }

  private IOException on416(TransportResponse r) {
    long total = ContentRange.parse(r.header(Headers.CONTENT_RANGE).orElse(null))
        .filter(ContentRange::isUnsatisfied).map(ContentRange::completeLength).orElse(-1L);
    if (total >= 0 && total != ctx.validators.length()) {
      return new RemoteChangedException("the server now reports a length of " + total
          + " bytes instead of " + ctx.validators.length());
    }
    return RetryableException.protocol("416 for a range inside the file from " + r.uri());
  }

  private static void sleep(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }
}
