package dev.rget.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The misbehaviours of one {@link FaultServer}, switchable at any time from any thread (also while
 * a download is running: connections re-read the settings before every body slice and every new
 * request). All setters return {@code this}; {@link #clear()} restores correct behaviour.
 *
 * <p>Body byte counts here are payload bytes (chunk framing not counted).
 */
public final class Faults {

  /** Sentinel for "no Retry-After header". */
  public static final long NO_RETRY_AFTER = -1;

  /** How a dropped connection is ended. */
  public enum DropMode {
    /** Orderly close (FIN). */
    CLOSE,
    /** Abortive close: {@code setSoLinger(true, 0)} then close, which sends a TCP RST. */
    RESET
  }

  /** Deliberately wrong answers to (ranged) requests. At most one is active at a time. */
  public enum RangeQuirk {
    /** Correct behaviour. */
    NONE,
    /** Range is ignored: 200 with the whole body. */
    IGNORE_RANGE,
    /** A satisfiable single range gets 200 with a correct Content-Range and only that range. */
    PARTIAL_BODY_WITH_200,
    /** Every request carrying If-Range gets 200 with the whole body, even when it matches. */
    IF_RANGE_ALWAYS_FAILS,
    /**
     * When Accept-Encoding allows gzip, every GET/HEAD gets 200 with {@code Content-Encoding: gzip}
     * (the whole body, really gzipped, chunked framing), ignoring Range.
     */
    GZIP_IGNORING_RANGE,
    /** 206 whose Content-Range positions are shifted by the parameter; body is the right bytes. */
    WRONG_CONTENT_RANGE_START,
    /** 206 whose Content-Range complete-length is the true length plus the parameter. */
    WRONG_CONTENT_RANGE_TOTAL,
    /**
     * 206 with correct headers whose body stops the parameter's number of bytes short of the
     * announced Content-Length, after which the connection is closed (FIN).
     */
    SHORT_206
  }

  record Drop(long afterBytes, DropMode mode) {}

  record Stall(long afterBytes, Duration duration, CountDownLatch release) {}

  record Slow(int everyKth, long bytesPerSecond) {}

  record Silent(int everyKth, CountDownLatch release) {}

  record StatusOverride(int status, long retryAfterSeconds, long remaining) {}

  record ConcurrencyLimit(int maxInFlight, int status, long retryAfterSeconds) {}

  record Quirk(RangeQuirk kind, long parameter) {}

  private static final Quirk NO_QUIRK = new Quirk(RangeQuirk.NONE, 0);

  private volatile Drop drop;
  private volatile Stall stall;
  private volatile Slow slow;
  private volatile Silent silent;
  private volatile long rateLimit;
  private final AtomicReference<StatusOverride> statusOverride = new AtomicReference<>();
  private volatile ConcurrencyLimit concurrencyLimit;
  private volatile Quirk quirk = NO_QUIRK;
  private volatile boolean closeAfterEachResponse;
  private final AtomicInteger stalledNow = new AtomicInteger();
  private final AtomicInteger misranged = new AtomicInteger();

  Faults() {}

  // ---------------------------------------------------------------- drop

  /** Each connection is closed (FIN) once {@code bytes} body bytes have been sent on it in total. */
  public Faults dropAfter(long bytes) {
    return dropAfter(bytes, DropMode.CLOSE);
  }

  /** Each connection is reset (RST) once {@code bytes} body bytes have been sent on it in total. */
  public Faults resetAfter(long bytes) {
    return dropAfter(bytes, DropMode.RESET);
  }

  /**
   * Each connection is ended with {@code mode} once {@code bytes} body bytes have been sent on it
   * (counted across all responses of the connection; 0 drops right after the first response
   * head). A response whose body ends exactly at the limit is complete, then the connection ends.
   */
  public Faults dropAfter(long bytes, DropMode mode) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative byte count");
    }
    drop = new Drop(bytes, Objects.requireNonNull(mode));
    return this;
  }

  /** Stops dropping connections. */
  public Faults clearDrop() {
    drop = null;
    return this;
  }

  // ---------------------------------------------------------------- stall

  /**
   * Every response pauses once after {@code bytes} of its body (0: right after the head) for
   * {@code duration}, or until {@link #releaseStalls()}. Applies to every response with a body
   * longer than {@code bytes}, error bodies (about 20-30 bytes) included; HEAD and empty bodies
   * never stall. A stall is held with the head and earlier body bytes already flushed.
   */
  public Faults stallAfter(long bytes, Duration duration) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative byte count");
    }
    Stall old = stall;
    stall = new Stall(bytes, Objects.requireNonNull(duration), new CountDownLatch(1));
    if (old != null) {
      old.release().countDown();
    }
    return this;
  }

  /** Every response pauses once after {@code bytes} of its body until {@link #releaseStalls()}. */
  public Faults stallAfter(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative byte count");
    }
    Stall old = stall;
    stall = new Stall(bytes, null, new CountDownLatch(1));
    if (old != null) {
      old.release().countDown();
    }
    return this;
  }

  /** Ends the stall fault and lets every currently stalled response continue. */
  public Faults releaseStalls() {
    Stall old = stall;
    stall = null;
    if (old != null) {
      old.release().countDown();
    }
    return this;
  }

  /** How many responses are stalled right now. */
  public int stalledNow() {
    return stalledNow.get();
  }

  /** Waits until at least {@code n} responses are stalled; false on timeout. */
  public boolean awaitStalled(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (stalledNow.get() < n) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  // ---------------------------------------------------------------- rates

  /**
   * A per-connection rate cap in bytes/s for all responses, on top of each resource's own limit
   * (the lower one wins); 0 removes it. Takes effect on running responses at the next slice.
   */
  public Faults rateLimit(long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("negative rate");
    }
    rateLimit = bytesPerSecond;
    return this;
  }

  /**
   * Every {@code k}-th connection by accept order (numbers 1, 2, ... over the server's life; those
   * whose number is divisible by {@code k}) is paced at {@code bytesPerSecond}, replacing any other
   * limit.
   */
  public Faults slowConnections(int k, long bytesPerSecond) {
    if (k < 1 || bytesPerSecond < 1) {
      throw new IllegalArgumentException("k and rate must be positive");
    }
    slow = new Slow(k, bytesPerSecond);
    return this;
  }

  /**
   * Every {@code k}-th connection by accept order sends the head of each response and then no
   * body byte at all, until {@link #clearSilentConnections()} or the server closes: a connection
   * that delivers nothing, though its answer arrived.
   */
  public Faults silentConnections(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive");
    }
    Silent old = silent;
    silent = new Silent(k, new CountDownLatch(1));
    if (old != null) {
      old.release().countDown();
    }
    return this;
  }

  /** Ends the silent-connection fault and lets the silent responses continue. */
  public Faults clearSilentConnections() {
    Silent old = silent;
    silent = null;
    if (old != null) {
      old.release().countDown();
    }
    return this;
  }

  /** Stops slowing every k-th connection. */
  public Faults clearSlowConnections() {
    slow = null;
    return this;
  }

  // ---------------------------------------------------------------- status

  /** The next {@code times} requests (any path, any method) get {@code status} instead. */
  public Faults failNext(int times, int status) {
    return failNext(times, status, NO_RETRY_AFTER);
  }

  /**
   * The next {@code times} requests get {@code status} with {@code Retry-After: seconds} (omitted
   * if {@code retryAfterSeconds} is negative). The body is a short text; the connection stays open.
   */
  public Faults failNext(int times, int status, long retryAfterSeconds) {
    if (times < 1) {
      throw new IllegalArgumentException("times must be positive");
    }
    statusOverride.set(new StatusOverride(checkStatus(status), retryAfterSeconds, times));
    return this;
  }

  /** Every request gets {@code status} until {@link #clearStatus()}. */
  public Faults failAlways(int status) {
    return failAlways(status, NO_RETRY_AFTER);
  }

  /** Every request gets {@code status} (with Retry-After if non-negative) until cleared. */
  public Faults failAlways(int status, long retryAfterSeconds) {
    statusOverride.set(new StatusOverride(checkStatus(status), retryAfterSeconds, -1));
    return this;
  }

  /** Stops overriding statuses. */
  public Faults clearStatus() {
    statusOverride.set(null);
    return this;
  }

  /**
   * Requests that would make more than {@code maxInFlight} requests in progress at once get 503
   * (no Retry-After).
   */
  public Faults maxConcurrentRequests(int maxInFlight) {
    return maxConcurrentRequests(maxInFlight, 503, NO_RETRY_AFTER);
  }

  /** Like {@link #maxConcurrentRequests(int)} with a chosen status and optional Retry-After. */
  public Faults maxConcurrentRequests(int maxInFlight, int status, long retryAfterSeconds) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be positive");
    }
    concurrencyLimit = new ConcurrencyLimit(maxInFlight, checkStatus(status), retryAfterSeconds);
    return this;
  }

  /** Removes the concurrency limit. */
  public Faults clearConcurrencyLimit() {
    concurrencyLimit = null;
    return this;
  }

  // ---------------------------------------------------------------- range quirks

  /** Activates a range quirk (replacing any other) with its parameter (ignored by some). */
  public Faults rangeQuirk(RangeQuirk kind, long parameter) {
    quirk = kind == RangeQuirk.NONE ? NO_QUIRK : new Quirk(kind, parameter);
    return this;
  }

  /** {@link RangeQuirk#IGNORE_RANGE}. */
  public Faults ignoreRange() {
    return rangeQuirk(RangeQuirk.IGNORE_RANGE, 0);
  }

  /** {@link RangeQuirk#PARTIAL_BODY_WITH_200}. */
  public Faults partialBodyWith200() {
    return rangeQuirk(RangeQuirk.PARTIAL_BODY_WITH_200, 0);
  }

  /** {@link RangeQuirk#IF_RANGE_ALWAYS_FAILS}. */
  public Faults ifRangeAlwaysFails() {
    return rangeQuirk(RangeQuirk.IF_RANGE_ALWAYS_FAILS, 0);
  }

  /** {@link RangeQuirk#GZIP_IGNORING_RANGE}. */
  public Faults gzipIgnoringRange() {
    return rangeQuirk(RangeQuirk.GZIP_IGNORING_RANGE, 0);
  }

  /** {@link RangeQuirk#WRONG_CONTENT_RANGE_START}: positions in Content-Range shifted by delta. */
  public Faults wrongContentRangeStart(long delta) {
    return rangeQuirk(RangeQuirk.WRONG_CONTENT_RANGE_START, delta);
  }

  /**
   * Responses sent so far with a Content-Range made wrong on purpose, counted when their head is
   * planned (not when they end, as the request log does).
   */
  public int misrangedResponses() {
    return misranged.get();
  }

  void noteMisranged() {
    misranged.incrementAndGet();
  }

  /** {@link RangeQuirk#WRONG_CONTENT_RANGE_TOTAL}: complete-length off by delta. */
  public Faults wrongContentRangeTotal(long delta) {
    return rangeQuirk(RangeQuirk.WRONG_CONTENT_RANGE_TOTAL, delta);
  }

  /** {@link RangeQuirk#SHORT_206}: body {@code missingBytes} short, then close. */
  public Faults short206(long missingBytes) {
    if (missingBytes < 1) {
      throw new IllegalArgumentException("missingBytes must be positive");
    }
    return rangeQuirk(RangeQuirk.SHORT_206, missingBytes);
  }

  /** Back to correct range handling. */
  public Faults clearRangeQuirk() {
    quirk = NO_QUIRK;
    return this;
  }

  // ---------------------------------------------------------------- misc

  /** True: every response carries {@code Connection: close} and the connection is closed after it. */
  public Faults closeAfterEachResponse(boolean close) {
    closeAfterEachResponse = close;
    return this;
  }

  /** Clears every fault and releases stalled responses. */
  public Faults clear() {
    clearDrop();
    releaseStalls();
    clearSlowConnections();
    clearSilentConnections();
    rateLimit(0);
    clearStatus();
    clearConcurrencyLimit();
    clearRangeQuirk();
    closeAfterEachResponse(false);
    return this;
  }

  // ---------------------------------------------------------------- server side

  Drop drop() {
    return drop;
  }

  Stall stall() {
    return stall;
  }

  Slow slow() {
    return slow;
  }

  Silent silent() {
    return silent;
  }

  /** Holds a silent connection's response until the fault is cleared; false if interrupted. */
  boolean hold(Silent s) {
    stalledNow.incrementAndGet();
    try {
      s.release().await();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      stalledNow.decrementAndGet();
    }
  }

  long globalRateLimit() {
    return rateLimit;
  }

  ConcurrencyLimit concurrencyLimit() {
    return concurrencyLimit;
  }

  Quirk quirk() {
    return quirk;
  }

  boolean closeAfterEachResponse() {
    return closeAfterEachResponse;
  }

  /** Consumes one status override, if one applies to the current request. */
  StatusOverride takeStatusOverride() {
    while (true) {
      StatusOverride o = statusOverride.get();
      if (o == null) {
        return null;
      }
      if (o.remaining() < 0) {
        return o;
      }
      StatusOverride next = o.remaining() <= 1 ? null
          : new StatusOverride(o.status(), o.retryAfterSeconds(), o.remaining() - 1);
      if (statusOverride.compareAndSet(o, next)) {
        return o;
      }
    }
  }

  /** Blocks the calling response thread as the stall says; false if interrupted. */
  boolean stall(Stall s) {
    stalledNow.incrementAndGet();
    try {
      if (s.duration() == null) {
        s.release().await();
      } else {
        s.release().await(s.duration().toNanos(), TimeUnit.NANOSECONDS);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      stalledNow.decrementAndGet();
    }
  }

  private static int checkStatus(int status) {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("bad status " + status);
    }
    return status;
  }
}
