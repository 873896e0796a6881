package dev.rget.core.engine;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import dev.rget.core.HostLimiter;
import dev.rget.core.Progress;
import dev.rget.core.http.Validators;
import dev.rget.core.range.ByteRange;
import dev.rget.core.state.BootId;
import dev.rget.core.state.PartFile;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import dev.rget.core.transport.Transport;
import java.io.IOException;
import java.net.URI;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One download, run as a pipeline on its own thread: probe, plan (resume or start over), fetch
 * (parallel ranges, or one stream), verify, commit. The output path receives the file only by a
 * rename of the complete, verified, forced part file; until then the part file and its state
 * sidecar hold what was fetched, so the same call later resumes. Use through
 * {@link dev.rget.core.Rget}.
 */
public final class DownloadJob implements Download {
  private static final int MAX_RESTARTS = 3;

  private final URI url;
  private final Path target;
  private final boolean targetIsDirectory;
  private final DownloadOptions options;
  private final Transport transport;
  private final boolean ownsTransport;
  private final CompletableFuture<DownloadResult> result = new CompletableFuture<>();
  private final AtomicLong fetched = new AtomicLong();
  private final AtomicInteger activeConnections = new AtomicInteger();
  private final SpeedMeter speed = new SpeedMeter();
  /** The one clock every timed decision of this download reads (see {@link #DownloadJob}). */
  private final LongSupplier clock;
  private final long startNanos;
  private final String bootId = BootId.current();
  private final ResumePlanner planner;
  private final OutputPlacement placement;
  /** Every wait of this download listens to it; {@link #cancel} and fatal errors stop it. */
  private final StopSignal stop = new StopSignal();
  private final Executor executor;
  /** Every task of this download but its own: they all end before the result is out. */
  private final TaskGroup tasks;
  private volatile WrittenRanges ledger;
  /** The parallel phase running now, for {@link #ranges()}; {@code null} outside one. */
  private volatile ParallelFetch parallel;
  private volatile long totalBytes = -1;
  private volatile String fileName;

  /**
   * @param target the output file, or the directory to put it in
   * @param targetIsDirectory whether {@code target} is a directory (the name then comes from
   *     the server or the URL)
   * @param ownsTransport close the transport when the download ends
   */
  public DownloadJob(URI url, Path target, boolean targetIsDirectory, DownloadOptions options,
      Transport transport, boolean ownsTransport) {
    this(url, target, targetIsDirectory, options, transport, ownsTransport, System::nanoTime);
  }

  /** As the public constructor, with the clock (nanoseconds) for every timed decision. */
  DownloadJob(URI url, Path target, boolean targetIsDirectory, DownloadOptions options,
      Transport transport, boolean ownsTransport, LongSupplier clock) {
    this.url = url;
    this.clock = clock;
    this.startNanos = clock.getAsLong();
    this.target = target;
    this.targetIsDirectory = targetIsDirectory;
    this.options = options;
    this.transport = transport;
    this.ownsTransport = ownsTransport;
    this.executor = options.executor();
    this.tasks = new TaskGroup(executor);
    this.planner = new ResumePlanner(url, bootId, options.failIfChanged(), options.notices());
    this.placement = new OutputPlacement(url, target, targetIsDirectory, options.timestamping(),
        planner, options.notices());
    if (!targetIsDirectory && target.getFileName() != null) {
      this.fileName = target.getFileName().toString();
    }
  }

  /** Starts the download on the options' executor and returns this handle. */
  public DownloadJob start() {
    try {
      executor.execute(this::run);
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new DownloadException(FailureKind.INTERNAL,
          "the executor refused the download's task: " + e, e));
      if (ownsTransport) {
        transport.close();
      }
    }
    return this;
  }

  @Override
  public CompletableFuture<DownloadResult> result() {
    return result;
  }

  @Override
  public Progress progress() {
    WrittenRanges l = ledger;
    return new Progress(totalBytes, l == null ? 0 : l.size(), speed.bytesPerSecond(),
        activeConnections.get(), elapsed(), fileName);
  }

  @Override
  public Ranges ranges() {
    WrittenRanges l = ledger;
    ParallelFetch p = parallel;
    return new Ranges(l == null ? List.of() : l.snapshot().ranges(), p == null ? List.of() : p.inFlight());
  }

  @Override
  public void cancel() {
    stop.stop(new DownloadException(FailureKind.CANCELLED, "cancelled"));
  }

  /**
   * Runs the pipeline, then ends every other thread of the download before the result is out:
   * once {@link #result()} completes, nothing of this download writes, reads or waits any more
   * (but a final force the user cancelled, see {@link OutputFile#force}).
   */
  private void run() {
    DownloadResult done = null;
    DownloadException failure = null;
    try {
      done = execute();
    } catch (DownloadException e) {
      failure = e;
    } catch (InterruptedIOException e) {
      failure = new DownloadException(FailureKind.CANCELLED, "interrupted", e);
    } catch (IOException e) {
      failure = new DownloadException(FailureKind.LOCAL_IO, RequestSender.describe(e), e);
    } catch (RuntimeException | Error e) {
      failure = new DownloadException(FailureKind.INTERNAL, "internal error: " + e, e);
    } finally {
      // Whatever is still running (after a failure) is told to stop, and waited for.
      stop.stop(failure != null ? failure
          : new DownloadException(FailureKind.CANCELLED, "the download has ended"));
      tasks.closeAndAwait();
      if (ownsTransport) {
        transport.close();
      }
    }
    if (failure != null) {
      result.completeExceptionally(failure);
    } else {
      result.complete(done);
    }
  }

  private DownloadResult execute() throws IOException {
    RequestSender.checkUrl(url);
    RedirectPolicy redirects = new RedirectPolicy(options, url);
    redirects.checkStart(url);
    if (!targetIsDirectory) {
      // Checked before any request, so that a typo in -o costs no traffic.
      OutputFile.checkPath(target);
    }
    // The download's own connection slot (when downloads share a per-host cap): it covers the
    // probe and then the connection that goes on reading the probe's body (or the one stream),
    // and follows them to the host each request goes to. Other connections take their own.
    HostLimiter hosts = options.hostLimiter();
    HostSlot downloadSlot = hosts == null ? null : new HostSlot(hosts);
    RequestSender sender = new RequestSender(transport, redirects, new RequestIdentity(options, url))
        .in(downloadSlot);
    Prober prober = new Prober(sender);
    Probe probe = null;
    try {
      Path stamped = placement.timestampingTarget();
      Instant localTime = stamped == null ? null
          : Files.getLastModifiedTime(stamped).toInstant();
      // A fresh download takes a whole first piece with the probe; a resume asks for one byte,
      // as those bytes are likely here already.
      long firstPiece = placement.resuming() ? 1 : options.minSplitSize();
      Optional<Probe> answer = probe(prober, firstPiece, localTime);
      if (answer.isEmpty()) {
        return upToDate(stamped, "the server answered 304 Not Modified");
      }
      probe = answer.get();
      RemoteFile remote = probe.remote();
      if (stamped != null && OutputPlacement.notNewer(remote, stamped, localTime)) {
        return upToDate(stamped, "the server's copy is not newer and has the same length");
      }
      checkSize(remote.length());
      Path out = placement.choose(remote, stamped);
      fileName = out.getFileName().toString();
      Path partPath = FreeName.partOf(out);
      StateStore store = new StateStore(FreeName.stateOf(out));
      if (!targetIsDirectory && Files.exists(out) && !store.exists()) {
        notice(out.getFileName() + " already exists; it is replaced only when this download is"
            + " complete");
      }
      int restarts = 0;
      // Answers that contradict the probe count as failures of one sequence, without a wait:
      // the probe just asked again.
      RetryPolicy contradictions = new RetryPolicy(options.retries(), stop);
      while (true) {
        totalBytes = remote.length();
        ResumePlanner.Plan plan = planner.plan(store, partPath, remote);
        try {
          return fetchAndCommit(sender, probe, plan, out, store);
        } catch (RemoteChangedException e) {
          probe.close();
          probe = probe(prober, 1);
          RemoteFile now = probe.remote();
          if (now.validators().equals(remote.validators())) {
            // The probe still describes the version being fetched: the response that said
            // otherwise contradicted the server's own answers. Keep the bytes and try again.
            if (!contradictions.tryAgain(false)) {
              throw new DownloadException(FailureKind.PROTOCOL, e.getMessage() + ", but the"
                  + " server still describes the file as " + remote.validators().describe()
                  + " (gave up after " + contradictions.failures() + " contradicting answers)",
                  e);
            }
            notice(e.getMessage() + ", but the server still describes the file as before;"
                + " resuming");
            continue;
          }
          if (options.failIfChanged()) {
            throw new DownloadException(FailureKind.REMOTE_CHANGED,
                e.getMessage() + "; stopping as asked (--fail-if-changed)", e);
          }
          restarts++;
          if (restarts >= MAX_RESTARTS) {
            throw new DownloadException(FailureKind.REMOTE_CHANGED, e.getMessage()
                + "; it changed " + MAX_RESTARTS + " times during the download, giving up", e);
          }
          checkSize(now.length());
          notice(e.getMessage() + "; starting over so that the file is one consistent version");
          // Both go: the bytes belong to a version that no longer exists.
          store.delete();
          Files.deleteIfExists(partPath);
          remote = now;
        }
      }
    } finally {
      if (probe != null) {
        probe.close();
      }
      if (downloadSlot != null) {
        downloadSlot.release();
      }
    }
  }

  private DownloadResult upToDate(Path local, String why) throws IOException {
    fileName = local.getFileName().toString();
    long size = Files.size(local);
    totalBytes = size;
    notice(local.getFileName() + " is up to date (" + why + "): not downloading it again");
    return new DownloadResult(local, size, 0, 0, elapsed());
  }

  /** Refuses a file announced larger than the cap, before a byte of it is written. */
  private void checkSize(long length) throws DownloadException {
    long max = options.maxFileSize();
    if (max > 0 && length > max) {
      throw new DownloadException(FailureKind.TOO_LARGE, "the file is " + length
          + " bytes, more than the maximum of " + max + " (--max-filesize)");
    }
  }

  private Probe probe(Prober prober, long firstPiece) throws IOException {
    return probe(prober, firstPiece, null).orElseThrow();
  }

  /** Probes with retries; empty when {@code since} is given and the server answers 304. */
  private Optional<Probe> probe(Prober prober, long firstPiece, Instant since)
      throws IOException {
    RetryPolicy retry = new RetryPolicy(options.retries(), stop);
    while (true) {
      stop.check();
      try {
        return stop.network(() -> prober.probeIfModified(url, firstPiece, since));
      } catch (RetryableException e) {
        retry.failed(e, false);
      }
    }
  }

  private DownloadResult fetchAndCommit(RequestSender sender, Probe probe,
      ResumePlanner.Plan plan, Path out, StateStore store) throws IOException {
    RemoteFile remote = probe.remote();
    Validators v = remote.validators();
    URI finalUri = remote.finalUri();
    // The state exists before the part file does, so a part file is never left without one.
    // It is forced to disk only when it carries forced bytes worth keeping: a fresh state lost
    // in a power cut costs nothing (the next run starts over, as it would have).
    store.save(new ResumeState(url, finalUri, v, bootId, plan.written(), plan.durable()),
        !plan.durable().isEmpty());
    try (OutputFile file = OutputFile.open(out, options.notices())) {
      file.truncateTo(plan.written().isEmpty() ? 0 : v.length());
      WrittenRanges l = new WrittenRanges(plan.written());
      ledger = l;
      long resumed = l.size();
      if (resumed > 0) {
        notice("resuming: " + resumed + " of " + v.length() + " bytes already here");
      }
      Checkpointer checkpointer = new Checkpointer(store,
          ranges -> new ResumeState(url, finalUri, v, bootId, ranges[0], ranges[1]), l,
          plan.durable(), file.part(), options.saveInterval(), options.durableInterval(),
          e -> stop.stop(new DownloadException(FailureKind.LOCAL_IO, "cannot save resume state "
              + store.path() + ": " + RequestSender.describe(e), e)),
          () -> speed.sample(clock.getAsLong(), fetched.get()), clock);
      checkpointer.start(tasks);
      long length;
      try {
        stop.check();
        length = fetchAll(sender, remote.contentCoding(), file.part(), l, probe);
      } catch (IOException | RuntimeException e) {
        checkpointer.close();
        if (e instanceof DownloadException d && d.kind() == FailureKind.TOO_LARGE) {
          // Only a body of unannounced length gets here, and such a download cannot resume.
          file.discard(store);
          throw e;
        }
        // Saved even when the remote changed: the state names the version its bytes belong to,
        // and the caller deletes it if that version is gone.
        saveOnFailure(checkpointer, e);
        throw e;
      }
      checkpointer.close();
      totalBytes = length;
      if (!l.covers(length)) {
        throw new DownloadException(FailureKind.INTERNAL, "bug: download ended with holes");
      }
      file.part().truncate(length);
      // Saved complete: a cancel from here on leaves a download that the next run only needs to
      // force, check and rename.
      checkpointer.saveQuick();
      // Forced before the rename: a file at the output path must be complete even after a
      // power cut.
      if (!file.force(stop, executor)) {
        throw stop.asException();
      }
      file.verify(options.checksum(), stop, store);
      file.commit();
      if (options.remoteTime()) {
        file.applyRemoteTime(v.lastModified());
      }
      store.delete();
      speed.sample(clock.getAsLong(), fetched.get());
      return new DownloadResult(out, length, fetched.get(), resumed, elapsed());
    }
  }

  /** A fetch phase: its own stop signal, a child of the download's. */
  private FetchContext newPhase(RequestSender sender, RemoteFile remote, String contentCoding,
      PartFile part, WrittenRanges l, RateLimiter limiter) {
    return new FetchContext(sender, remote.finalUri(), remote.validators(), remote.ifRange(),
        contentCoding, part, l, options, limiter, fetched, activeConnections, stop.child(), clock);
  }

  private long fetchAll(RequestSender sender, String contentCoding, PartFile part,
      WrittenRanges l, Probe probe) throws IOException {
    RemoteFile remote = probe.remote();
    long length = remote.length();
    if (length == 0) {
      return 0;
    }
    // One limiter for every phase: the rate holds across a fall back to one stream.
    RateLimiter limiter = new RateLimiter(options.limitRate(), clock);
    FetchContext c = newPhase(sender, remote, contentCoding, part, l, limiter);
    if (length > 0 && remote.rangesWork()) {
      List<ByteRange> missing = l.snapshot().missing(length);
      if (missing.isEmpty()) {
        probe.close();
        return length;
      }
      ParallelFetch fetch = new ParallelFetch(c, missing, options.connections(), tasks);
      parallel = fetch;
      FetchOutcome outcome;
      try {
        outcome = fetch.run(probe);
      } finally {
        parallel = null;
      }
      if (outcome instanceof FetchOutcome.FallBack f) {
        notice(f.why() + ": downloading as a single stream");
        return new StreamFetch(newPhase(sender, remote, contentCoding, part, l, limiter))
            .run(f.response());
      }
      return length;
    }
    if (length < 0) {
      notice("the server did not announce the file's length: downloading as a single stream"
          + " that cannot be resumed");
    } else {
      notice("the server does not support range requests: downloading as a single stream");
    }
    return new StreamFetch(c).run(probe.hasFullBody() ? probe.body() : null);
  }

  /**
   * Saves what was written, without forcing it to disk: that survives the end of the process,
   * and a cancel must not wait for a flush of what may be gigabytes (a power cut still keeps
   * everything up to the last durable save).
   */
  private void saveOnFailure(Checkpointer checkpointer, Throwable cause) {
    try {
      checkpointer.saveQuick();
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  private Duration elapsed() {
    return Duration.ofNanos(clock.getAsLong() - startNanos);
  }

  private void notice(String message) {
    options.notices().accept(message);
  }
}
