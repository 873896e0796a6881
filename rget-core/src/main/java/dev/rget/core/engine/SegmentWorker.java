package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.HostLimiter;
import dev.rget.core.http.Headers;
import dev.rget.core.range.ByteRange;
import dev.rget.core.range.ContentRange;
import dev.rget.core.range.RangeHeader;
import dev.rget.core.transport.TransportResponse;
import java.io.EOFException;
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
  /** How long to wait for the end of a body whose bytes have all arrived. */
  private static final Duration END_WAIT = Duration.ofSeconds(1);
  private final FetchContext ctx;
  private final SegmentScheduler scheduler;
  private final AtomicInteger liveWorkers;
  private Segment firstSegment;
  /** Runs in the download's own host slot (the probe's connection) instead of taking one. */
  private boolean usesDownloadSlot;
  /** ctx.sender, in this connection's own host slot when it has one. */
  private RequestSender sender;
  private Opened firstResponse;
  /** Left the live count early (see {@link #retireUnlessLast}). */
  private boolean retired;

  SegmentWorker(FetchContext ctx, SegmentScheduler scheduler, AtomicInteger liveWorkers) {
    this.ctx = ctx;
    this.scheduler = scheduler;
    this.liveWorkers = liveWorkers;
  }

  /** A response already open for a segment's first bytes, and the range it was asked for. */
  record Opened(TransportResponse response, ByteRange asked) {}

  /**
   * Makes this connection run in the download's own host slot (held by the download job since
   * its probe) instead of taking one; every download has one such connection, so downloads that
   * share a host cap can never all wait for slots held by each other.
   */
  SegmentWorker inDownloadSlot() {
    this.usesDownloadSlot = true;
    return this;
  }

  /** Starts this connection on {@code seg} with a response that is already open for it. */
  SegmentWorker startingWith(Segment seg, Opened response) {
    this.firstSegment = seg;
    this.firstResponse = response;
    return this;
  }

  @Override
  public void run() {
    HostLimiter hosts = usesDownloadSlot ? null : ctx.options.hostLimiter();
    HostSlot slot = hosts == null ? null : new HostSlot(hosts);
    // Without a slot of its own this connection runs in the download's, which ctx.sender moves.
    sender = ctx.sender.in(slot);
    try {
      if (slot != null) {
        // Wait for a slot, but not past the end: the download (or its cancellation) must not
        // hang on a connection that never got to start.
        while (!slot.tryMoveTo(ctx.uri.getHost(), Duration.ofMillis(100))) {
          if (ctx.stop.stopped() || scheduler.isComplete()) {
            return;
          }
        }
      }
      try {
        loop();
      } finally {
        if (slot != null) {
          slot.release();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (!retired) {
        liveWorkers.decrementAndGet();
      }
    }
  }

  private void loop() throws InterruptedException {
    RetryPolicy retry = new RetryPolicy(ctx.options.retries(), ctx.stop);
    double ownRate = 0;
    while (true) {
      Segment seg;
      Opened opened = null;
      if (firstSegment != null) {
        seg = firstSegment;
        opened = firstResponse;
        firstSegment = null;
        firstResponse = null;
      } else {
        seg = scheduler.acquire(ownRate);
      }
      if (seg == null) {
        return;
      }
      RetryableException failure = null;
      try {
        fetch(seg, opened);
        retry.succeeded();
      } catch (RetryableException e) {
        if (ctx.stop.stopped()) {
          return;
        }
        failure = e;
      } catch (InterruptedIOException e) {
        return;
      } catch (RemoteChangedException | DownloadException e) {
        ctx.stop.stop(e);
        return;
      } catch (IOException | RuntimeException e) {
        if (!ctx.stop.stopped()) {
          ctx.stop.stop(new DownloadException(FailureKind.INTERNAL, "unexpected: " + e, e));
        }
        return;
      } finally {
        // Whatever happened, the unfinished remainder goes back for any connection to take.
        double rate = scheduler.release(seg);
        if (rate > 0) {
          ownRate = rate;
        }
      }
      if (failure == null) {
        continue;
      }
      if (failure.throttled() && retireUnlessLast()) {
        // The server says it is overloaded: one connection fewer rather than hammering it.
        // (Retiring is atomic with the count, so the last connection never retires.)
        retired = true;
        ctx.options.notices().accept(failure.getMessage() + "; using one connection fewer");
        return;
      }
      try {
        retry.failed(failure, seg.writtenSinceStart > 0);
      } catch (IOException e) {
        // Given up (which stops the download), or stopped already (then this changes nothing).
        ctx.stop.stop(e);
        return;
      }
    }
  }

  /** Leaves the live count if another connection stays; false if this is the last one. */
  private boolean retireUnlessLast() {
    while (true) {
      int n = liveWorkers.get();
      if (n <= 1) {
        return false;
      }
      if (liveWorkers.compareAndSet(n, n - 1)) {
        return true;
      }
    }
  }

  /**
   * Fetches the segment to its end (which may shrink), one or more requests; the first may be
   * already open.
   */
  private void fetch(Segment seg, Opened opened) throws IOException {
    while (true) {
      long[] b = scheduler.bounds(seg);
      if (b[0] >= b[1] || ctx.stop.stopped()) {
        if (opened != null) {
          opened.response().close();
        }
        return;
      }
      ByteRange requested;
      String ifRange;
      TransportResponse r;
      if (opened != null) {
        requested = opened.asked();
        ifRange = null;
        r = opened.response();
        opened = null;
      } else {
        requested = ByteRange.ofHalfOpen(b[0], b[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(Headers.RANGE, RangeHeader.format(requested));
        headers.put(Headers.ACCEPT_ENCODING, "identity");
        ifRange = ctx.ifRange();
        if (ifRange != null) {
          headers.put(Headers.IF_RANGE, ifRange);
        }
        r = ctx.stop.network(() -> sender.send("GET", ctx.uri, headers));
      }
      boolean handedOver = false;
      ctx.opened(r);
      try {
        int status = r.status();
        if (status == 200) {
          if (onFullResponse(r, ifRange != null)) {
            continue;
          }
          FetchOutcome.FallBack fb = ctx.fallBack();
          handedOver = fb != null && fb.response() == r;
          return;
        }
        if (status == 416) {
          throw on416(r);
        }
        if (status != 206) {
          throw RetryableException.protocol("unexpected HTTP " + HttpStatus.describe(status)
              + " to a range request from " + r.uri());
        }
        ByteRange got;
        try {
          got = ResponseChecker.checkPartial(r, requested, ctx.validators, ctx.contentCoding);
        } catch (RetryableException e) {
          if (e.wrongRange() && requested.first() > 0 && ctx.lyingRange()) {
            // The probe's range at byte 0 was right, every other one wrong: the server's
            // ranges cannot be trusted, but its whole file may be.
            ctx.fallBack("every answer to a range request not starting at byte 0 carried a"
                + " wrong Content-Range (" + e.getMessage() + "): ranges are unusable on this"
                + " server", null);
            return;
          }
          throw e;
        }
        if (requested.first() > 0) {
          ctx.honestRange();
        }
        seg.watch(r);
        if (!copyBody(r, seg, got)) {
          return;
        }
      } finally {
        seg.watch(null);
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
      } catch (EOFException e) {
        if (ctx.stop.stopped() || scheduler.takenOver(seg)) {
          return false;
        }
        throw truncated(got, pos, e);
      } catch (IOException e) {
        if (ctx.stop.stopped() || scheduler.takenOver(seg)) {
          // Stopped, or the scheduler gave all of this silent segment to another connection
          // and closed this response to free the connection.
          return false;
        }
        throw RetryableException.network("connection lost after " + (pos - got.first()) + " of "
            + got.length() + " bytes of " + got + ": " + RequestSender.describe(e), e);
      }
      if (chunk == null) {
        throw truncated(got, pos, null);
      }
      int chunkEnd = chunk.position() + (int) Math.min(chunk.remaining(), stop - pos);
      // Written in pieces the rate limiter pays for one at a time, so that progress (and the
      // saved state) moves at the limited rate instead of a whole chunk at a time.
      while (chunk.position() < chunkEnd) {
        int n = (int) Math.min(chunkEnd - chunk.position(), ctx.rateLimiter.sliceBytes());
        // Paced before the claim, so that a claim is always followed at once by its write.
        ctx.rateLimiter.acquire(n, ctx.stop);
        long allowed = scheduler.claim(seg, n);
        if (allowed <= 0) {
          return false;
        }
        chunk.limit(chunk.position() + (int) allowed);
        ctx.write(chunk, pos);
        chunk.limit(chunkEnd);
        ctx.ledger.add(pos, pos + allowed);
        scheduler.advance(seg, allowed);
        ctx.fetched.addAndGet(allowed);
        pos += allowed;
        if (allowed < n) {
          return false;
        }
      }
    }
    // Read the end of the body so the connection goes back to the pool for the next range.
    try {
      r.next(stall.compareTo(END_WAIT) < 0 ? stall : END_WAIT);
    } catch (IOException e) {
      // The bytes are safely written; a connection that fails at the very end is just not reused.
    }
    return true;
  }

  /**
   * The server ended a 206 body cleanly before the end its Content-Range announced: the bytes
   * that came are right, the rest is missing. Kept apart from network failures because it is the
   * server's doing, which is what the user is told if it persists.
   */
  private static RetryableException truncated(ByteRange got, long pos, IOException cause) {
    return new RetryableException(FailureKind.PROTOCOL, "server ended the body of " + got + " after "
        + (pos - got.first()) + " of its " + got.length() + " bytes", null, false, cause);
  }

  /**
   * A 200 to a ranged request. A 200 carrying Content-Range holds only part of the file, and
   * one with another length belongs to another version: neither is the file from byte 0. If the
   * version is unchanged and we sent If-Range, the server is mishandling If-Range: stop sending
   * it and retry. Otherwise it does not do ranges.
   */
  private boolean onFullResponse(TransportResponse r, boolean sentIfRange) throws IOException {
    ResponseChecker.checkVersion(r, ctx.validators);
    ResponseChecker.checkCoding(r, ctx.contentCoding);
    if (r.header(Headers.CONTENT_RANGE).isPresent()) {
      ctx.fallBack("the server answers range requests with a 200 that holds only part of the"
          + " file (Content-Range " + r.header(Headers.CONTENT_RANGE).get() + ")", null);
      return false;
    }
    ResponseChecker.checkLength(ResponseChecker.declaredLength(r), ctx.validators.length(), "");
    if (sentIfRange) {
      ctx.disableIfRange();
      return true;
    }
    ctx.fallBack("the server ignores range requests", r);
    return false;
  }

  private IOException on416(TransportResponse r) {
    long total = ContentRange.parse(r.header(Headers.CONTENT_RANGE).orElse(null))
        .filter(ContentRange::isUnsatisfied).map(ContentRange::completeLength).orElse(-1L);
    try {
      ResponseChecker.checkLength(total, ctx.validators.length(), "");
    } catch (RemoteChangedException e) {
      return e;
    }
    return RetryableException.protocol("416 for a range inside the file from " + r.uri());
  }

}
