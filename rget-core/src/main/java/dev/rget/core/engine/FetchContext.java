package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.FailureKind;
import dev.rget.core.http.Validators;
import dev.rget.core.state.PartFile;
import dev.rget.core.transport.TransportResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * What the connections of one fetch phase share: where to fetch from, which version, where to
 * write, the ledger, the rate limiter, and the phase's {@link StopSignal} (a child of the
 * download's). Stopping closes every open response, so a connection blocked on a read wakes at
 * once. A phase ends early either with a failure or because ranges turned out unusable; in the
 * latter case {@link #fallBack()} says why, with the open response (if any) to continue from.
 */
final class FetchContext {
  /** Range answers with a wrong Content-Range, with none right, after which ranges are given up. */
  static final int LIES_BEFORE_GIVING_UP_RANGES = 3;

  final RequestSender sender;
  final URI uri;
  final Validators validators;
  /** What ranged requests may send in If-Range for this version, {@code null}: nothing. */
  private final String ifRange;
  /** The content coding every response must carry, {@code null} for none (see RemoteFile). */
  final String contentCoding;
  final PartFile part;
  final WrittenRanges ledger;
  final DownloadOptions options;
  final RateLimiter rateLimiter;
  final AtomicLong fetched;
  final AtomicInteger activeConnections;
  final StopSignal stop;
  /** The download's clock, nanoseconds: every timed decision of the phase reads it. */
  final LongSupplier clock;
  private final Set<TransportResponse> open = ConcurrentHashMap.newKeySet();
  private final AtomicReference<FetchOutcome.FallBack> fallBack = new AtomicReference<>();
  private final AtomicInteger lies = new AtomicInteger();
  private final AtomicInteger honestRanges = new AtomicInteger();
  private volatile boolean ifRangeEnabled = true;

  FetchContext(RequestSender sender, URI uri, Validators validators, String ifRange,
      String contentCoding, PartFile part, WrittenRanges ledger, DownloadOptions options,
      RateLimiter rateLimiter, AtomicLong fetched, AtomicInteger activeConnections,
      StopSignal stop, LongSupplier clock) {
    this.sender = sender;
    this.uri = uri;
    this.validators = validators;
    this.ifRange = ifRange;
    this.contentCoding = contentCoding;
    this.part = part;
    this.ledger = ledger;
    this.options = options;
    this.rateLimiter = rateLimiter;
    this.fetched = fetched;
    this.activeConnections = activeConnections;
    this.stop = stop;
    this.clock = clock;
    stop.onStop(() -> open.forEach(TransportResponse::close));
  }

  /** The If-Range value to send, or {@code null} (none available, or the server mishandles it). */
  String ifRange() {
    return ifRangeEnabled ? ifRange : null;
  }

  /** Stop sending If-Range: the server answers it with 200 although the version is unchanged. */
  void disableIfRange() {
    if (ifRangeEnabled) {
      ifRangeEnabled = false;
      options.notices().accept("server answers If-Range with the whole file although the file is"
          + " unchanged; continuing without If-Range (every part is still checked against "
          + "the recorded ETag/Last-Modified)");
    }
  }

  /** Registers an open response so that a stop aborts it. */
  void opened(TransportResponse r) {
    open.add(r);
    activeConnections.incrementAndGet();
    if (stop.stopped()) {
      r.close();
    }
  }

  /** Closes a response registered with {@link #opened}. */
  void closed(TransportResponse r) {
    if (open.remove(r)) {
      activeConnections.decrementAndGet();
    }
    r.close();
  }

  /**
   * Ends the phase because ranges do not work: the download continues as one stream from byte 0,
   * from {@code response} (an open 200 with the whole file, taken out of this phase) or from a
   * new plain GET when {@code null}. Only the first call counts; a later one's response is closed.
   */
  void fallBack(String why, TransportResponse response) {
    if (response != null && open.remove(response)) {
      activeConnections.decrementAndGet();
    }
    FetchOutcome.FallBack f = new FetchOutcome.FallBack(why, response);
    if (!stop.stopped() && fallBack.compareAndSet(null, f)) {
      stop.stop(new FallBackSignal());
    } else if (response != null) {
      response.close();
    }
  }

  /** Why the phase gave up ranges, or {@code null}. */
  FetchOutcome.FallBack fallBack() {
    return fallBack.get();
  }

  /** Stop reason of a phase that ended by {@link #fallBack}; never reported to the user. */
  static final class FallBackSignal extends IOException {
    private static final long serialVersionUID = 1L;

    FallBackSignal() {
      super("ranges given up");
    }
  }

  /** A 206 for a range not starting at byte 0 carried the right Content-Range. */
  void honestRange() {
    honestRanges.incrementAndGet();
  }

  /**
   * A 206 for a range not starting at byte 0 carried a wrong Content-Range. Returns true when
   * such answers are all this server gives: ranges are then unusable here.
   */
  boolean lyingRange() {
    return lies.incrementAndGet() >= LIES_BEFORE_GIVING_UP_RANGES && honestRanges.get() == 0;
  }

  /** Writes a body chunk at {@code position}; failures are the local disk's, not the network's. */
  void write(ByteBuffer chunk, long position) throws DownloadException {
    try {
      part.write(chunk, position);
    } catch (IOException e) {
      throw new DownloadException(FailureKind.LOCAL_IO, "cannot write " + part.path() + ": "
          + RequestSender.describe(e), e);
    }
  }
}
