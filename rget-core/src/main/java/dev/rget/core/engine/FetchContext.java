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

/**
 * What the connections of one download share: where to fetch from, which version, where to write,
 * the ledger, the rate limiter, and the first reason to stop. Stopping closes every open
 * response, so a connection blocked on a read wakes at once.
 */
final class FetchContext {
  final RequestSender sender;
  final URI uri;
  final Validators validators;
  /** The content coding every response must carry, {@code null} for none (see RemoteFile). */
  final String contentCoding;
  final PartFile part;
  final WrittenRanges ledger;
  final DownloadOptions options;
  final RateLimiter rateLimiter;
  final AtomicLong fetched;
  final AtomicInteger activeConnections;
  private final Set<TransportResponse> open = ConcurrentHashMap.newKeySet();
  private final AtomicReference<Throwable> stopReason = new AtomicReference<>();
  private final Set<Runnable> stopListeners = ConcurrentHashMap.newKeySet();
  private volatile boolean ifRangeEnabled = true;

  FetchContext(RequestSender sender, URI uri, Validators validators, String contentCoding,
      PartFile part, WrittenRanges ledger, DownloadOptions options, RateLimiter rateLimiter,
      AtomicLong fetched, AtomicInteger activeConnections) {
    this.sender = sender;
    this.uri = uri;
    this.validators = validators;
    this.contentCoding = contentCoding;
    this.part = part;
    this.ledger = ledger;
    this.options = options;
    this.rateLimiter = rateLimiter;
    this.fetched = fetched;
    this.activeConnections = activeConnections;
  }

  /** The If-Range value to send, or {@code null} (none available, or the server mishandles it). */
  String ifRange() {
    return ifRangeEnabled ? validators.ifRangeValue() : null;
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

  /** Registers an open response so that {@link #stop} can abort it. */
  void opened(TransportResponse r) {
    open.add(r);
    activeConnections.incrementAndGet();
    if (stopReason.get() != null) {
      r.close();
    }
  }

  void closed(TransportResponse r) {
    if (open.remove(r)) {
      activeConnections.decrementAndGet();
    }
    r.close();
  }

  /** Takes a response out of this context without closing it: another stage will read it. */
  void handOver(TransportResponse r) {
    if (open.remove(r)) {
      activeConnections.decrementAndGet();
    }
  }

  /**
   * Records the first reason to stop, and aborts every open response.
   *
   * @return whether {@code reason} is the one recorded (false: the download had already stopped)
   */
  boolean stop(Throwable reason) {
    if (stopReason.compareAndSet(null, reason)) {
      stopListeners.forEach(Runnable::run);
      for (TransportResponse r : open) {
        r.close();
      }
      return true;
    }
    return false;
  }

  void onStop(Runnable listener) {
    stopListeners.add(listener);
  }

  /** The reason the download stopped, or {@code null} while it runs. */
  Throwable stopReason() {
    return stopReason.get();
  }

  boolean stopped() {
    return stopReason.get() != null;
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
