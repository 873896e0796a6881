package dev.rget.core.engine;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import dev.rget.core.HostLimiter;
import dev.rget.core.Progress;
import dev.rget.core.SafeText;
import dev.rget.core.http.HttpDate;
import dev.rget.core.http.Validators;
import dev.rget.core.range.ByteRange;
import dev.rget.core.range.RangeSet;
import dev.rget.core.state.BootId;
import dev.rget.core.state.PartFile;
import dev.rget.core.state.PrivateFiles;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import dev.rget.core.transport.Transport;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
  private final long startNanos = System.nanoTime();
  private final String bootId = BootId.current();
  /** Every wait of this download listens to it; {@link #cancel} and fatal errors stop it. */
  private final StopSignal stop = new StopSignal();
  private final Executor executor;
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
    this.url = url;
    this.target = target;
    this.targetIsDirectory = targetIsDirectory;
    this.options = options;
    this.transport = transport;
    this.ownsTransport = ownsTransport;
    this.executor = options.executor();
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
        activeConnections.get(), Duration.ofNanos(System.nanoTime() - startNanos), fileName);
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

  private void run() {
    try {
      result.complete(execute());
    } catch (DownloadException e) {
      result.completeExceptionally(e);
    } catch (InterruptedIOException e) {
      result.completeExceptionally(new DownloadException(FailureKind.CANCELLED, "interrupted", e));
    } catch (IOException e) {
      result.completeExceptionally(new DownloadException(FailureKind.LOCAL_IO,
          RequestSender.describe(e), e));
    } catch (RuntimeException | Error e) {
      result.completeExceptionally(new DownloadException(FailureKind.INTERNAL,
          "internal error: " + e, e));
    } finally {
      if (ownsTransport) {
        transport.close();
      }
    }
  }

  private DownloadResult execute() throws IOException {
    RequestSender.checkScheme(url);
    RedirectPolicy redirects = new RedirectPolicy(options);
    redirects.checkStart(url);
    if (!targetIsDirectory) {
      // Checked before any request, so that a typo in -o costs no traffic.
      checkOutput(target);
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
      Path stamped = timestampingTarget();
      Instant localTime = stamped == null ? null
          : Files.getLastModifiedTime(stamped).toInstant();
      Optional<Probe> answer = probe(prober, firstPiece(), localTime);
      if (answer.isEmpty()) {
        return upToDate(stamped, "the server answered 304 Not Modified");
      }
      probe = answer.get();
      RemoteFile remote = probe.remote();
      if (stamped != null && notNewer(remote, stamped, localTime)) {
        return upToDate(stamped, "the server's copy is not newer and has the same length");
      }
      checkSize(remote.length());
      Path out = stamped != null || (options.timestamping() && targetIsDirectory)
          ? timestampingPath() : targetIsDirectory ? chooseFree(remote) : target;
      if (out != target) {
        checkOutput(out);
      }
      fileName = out.getFileName().toString();
      Path partPath = FreeName.partOf(out);
      StateStore store = new StateStore(FreeName.stateOf(out));
      if (!targetIsDirectory && Files.exists(out) && !store.exists()) {
        notice(out.getFileName() + " already exists; it is replaced only when this download is"
            + " complete");
      }
      int restarts = 0;
      int contradictions = 0;
      while (true) {
        totalBytes = remote.length();
        Resume resume = decideResume(store, partPath, remote);
        try {
          return fetchAndCommit(sender, probe, resume, out, partPath, store);
        } catch (RemoteChangedException e) {
          probe.close();
          probe = probe(prober, 1);
          RemoteFile now = probe.remote();
          if (now.validators().equals(remote.validators())) {
            // The probe still describes the version being fetched: the response that said
            // otherwise contradicted the server's own answers. Keep the bytes and try again.
            contradictions++;
            if (contradictions > options.retries()) {
              throw new DownloadException(FailureKind.PROTOCOL, e.getMessage() + ", but the"
                  + " server still describes the file as " + remote.validators().describe()
                  + " (gave up after " + contradictions + " contradicting answers)", e);
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

  /** The file {@code -N} compares with: the output, or in a directory the URL's name. */
  private Path timestampingPath() {
    return targetIsDirectory ? target.resolve(FileNames.fromUri(url)) : target;
  }

  /**
   * The existing file {@code -N} asks the server about, or {@code null}: timestamping is off,
   * the file is not there, or a partial download of it is pending (that one resumes instead).
   */
  private Path timestampingTarget() {
    if (!options.timestamping()) {
      return null;
    }
    Path p = timestampingPath();
    if (p.getFileName() == null || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
        || Files.exists(FreeName.stateOf(p), LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    return p;
  }

  /** For a server that ignores If-Modified-Since: wget's comparison of time and length. */
  private static boolean notNewer(RemoteFile remote, Path local, Instant localTime)
      throws IOException {
    Optional<Instant> remoteTime = HttpDate.parse(remote.validators().lastModified());
    return remoteTime.isPresent() && !remoteTime.get().isAfter(localTime)
        && remote.length() == Files.size(local);
  }

  private DownloadResult upToDate(Path local, String why) throws IOException {
    fileName = local.getFileName().toString();
    long size = Files.size(local);
    totalBytes = size;
    notice(local.getFileName() + " is up to date (" + why + "): not downloading it again");
    return new DownloadResult(local, size, 0, 0, Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /**
   * Gives the finished file the server's Last-Modified as its modification time, as wget does,
   * so that {@code -N} later compares against the server's clock.
   */
  private void applyRemoteTime(Path out, String lastModified) {
    if (!options.remoteTime()) {
      return;
    }
    Optional<Instant> t = HttpDate.parse(lastModified);
    if (t.isEmpty()) {
      return;
    }
    try {
      Files.setLastModifiedTime(out, FileTime.from(t.get()));
    } catch (IOException e) {
      notice("cannot set the modification time of " + out + ": " + RequestSender.describe(e));
    }
  }

  /**
   * The output for a name the server chose, never an existing file (see {@link FreeName}); says
   * so when it is not the name itself.
   */
  private Path chooseFree(RemoteFile remote) throws IOException {
    String name = remote.fileName();
    checkOutput(target.resolve(name));
    FreeName.Choice c = FreeName.choose(target, name, st -> isSameDownload(st, remote));
    String chosen = c.out().getFileName().toString();
    if (!chosen.equals(name)) {
      notice(name + " already exists; " + (c.resumable() ? "resuming the partial download "
          : "saving as ") + chosen);
    }
    return c.out();
  }

  /** Whether a saved state was written by a download of this URL (or of where it leads). */
  private boolean isSameDownload(ResumeState st, RemoteFile remote) {
    return st.url().equals(SafeText.withoutPassword(url))
        || st.finalUrl().equals(SafeText.withoutPassword(remote.finalUri()));
  }

  /** Refuses a file announced larger than the cap, before a byte of it is written. */
  private void checkSize(long length) throws DownloadException {
    long max = options.maxFileSize();
    if (max > 0 && length > max) {
      throw new DownloadException(FailureKind.TOO_LARGE, "the file is " + length
          + " bytes, more than the maximum of " + max + " (--max-filesize)");
    }
  }

  /**
   * How much of the file the probe asks for. A fresh download takes a whole first piece with it;
   * a resume (a state file is there) asks for one byte, as those bytes are likely here already.
   */
  private long firstPiece() {
    boolean resuming = targetIsDirectory
        ? FreeName.anyStateFor(target, FileNames.fromUri(url))
        : target.getFileName() != null && Files.exists(FreeName.stateOf(target));
    return resuming ? 1 : options.minSplitSize();
  }

  private Probe probe(Prober prober, long firstPiece) throws IOException {
    return probe(prober, firstPiece, null).orElseThrow();
  }

  /** Probes with retries; empty when {@code since} is given and the server answers 304. */
  private Optional<Probe> probe(Prober prober, long firstPiece, Instant since)
      throws IOException {
    int failures = 0;
    while (true) {
      stop.check();
      try {
        return stop.network(() -> prober.probeIfModified(url, firstPiece, since));
      } catch (RetryableException e) {
        failures++;
        if (failures > options.retries()) {
          throw e.giveUp(failures);
        }
        stop.sleep(Backoff.delay(failures, e.retryAfter()));
      }
    }
  }

  private void checkOutput(Path out) throws DownloadException {
    if (out.toString().isEmpty()) {
      throw new DownloadException(FailureKind.LOCAL_IO, "output path is empty");
    }
    if (Files.isDirectory(out) || out.getFileName() == null) {
      throw new DownloadException(FailureKind.LOCAL_IO, "output path " + out + " is a directory");
    }
    Path dir = out.toAbsolutePath().getParent();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new DownloadException(FailureKind.LOCAL_IO, "output directory " + dir
          + " is not a directory");
    }
    if (!Files.isDirectory(dir)) {
      throw new DownloadException(FailureKind.LOCAL_IO, "output directory " + dir
          + " does not exist");
    }
    if (!Files.isWritable(dir)) {
      throw new DownloadException(FailureKind.LOCAL_IO, "output directory " + dir
          + " is not writable");
    }
  }

  /** Which bytes of an existing part file may be kept. */
  private record Resume(RangeSet written, RangeSet durable) {
    static Resume none() {
      return new Resume(new RangeSet(), new RangeSet());
    }
  }

  private Resume decideResume(StateStore store, Path partPath, RemoteFile remote)
      throws IOException {
    boolean partExists = Files.exists(partPath, LinkOption.NOFOLLOW_LINKS);
    if (partExists) {
      // Written to, or truncated, in any case: it must be a file only this user controls.
      refuseUnlessPrivate(partPath);
    }
    if (!store.exists()) {
      // An empty part file is the one FreeName just claimed: nothing in it to distrust.
      if (partExists && Files.size(partPath) > 0) {
        notice(partPath.getFileName() + " has no state file " + store.path().getFileName()
            + ": its bytes cannot be trusted, starting from zero");
      }
      return Resume.none();
    }
    ResumeState st;
    try {
      st = store.load();
    } catch (StateStore.CorruptStateException e) {
      notice("state file " + store.path().getFileName() + " is unusable (" + e.getMessage()
          + "): ignoring it and starting from zero");
      return Resume.none();
    } catch (DownloadException e) {
      throw e;
    } catch (IOException e) {
      throw new DownloadException(FailureKind.LOCAL_IO, "cannot read " + store.path() + ": "
          + RequestSender.describe(e), e);
    }
    refuseUnlessPrivate(store.path());
    if (!isSameDownload(st, remote)) {
      notice("state file " + store.path().getFileName() + " belongs to a download of "
          + st.url() + ": starting from zero");
      return Resume.none();
    }
    if (!partExists) {
      notice(partPath.getFileName() + " is missing: starting from zero");
      return Resume.none();
    }
    Validators now = remote.validators();
    if (now.length() < 0 || st.remote().length() < 0) {
      notice("the file's length is unknown, so a partial download cannot be resumed: starting"
          + " from zero");
      return Resume.none();
    }
    if (!st.remote().sameVersionAs(now)) {
      String msg = "the remote file changed since the partial download (was "
          + st.remote().describe() + ", now " + now.describe() + ")";
      if (options.failIfChanged()) {
        throw new DownloadException(FailureKind.REMOTE_CHANGED,
            msg + "; stopping as asked (--fail-if-changed)");
      }
      notice(msg + "; starting over");
      return Resume.none();
    }
    if (!now.hasValidator()) {
      notice("the server sends no ETag or Last-Modified, so rget cannot tell whether the remote"
          + " file changed since the partial download; resuming on equal length only");
    } else if (remote.ifRange() == null && now.etag() != null) {
      notice("the server has only a weak ETag, which If-Range cannot use; every resumed part is"
          + " checked against the recorded ETag instead");
    } else if (remote.ifRange() == null) {
      notice("the server's Last-Modified is less than a second older than its Date (or it sends"
          + " no Date), so it is no strong validator for If-Range; every resumed part is checked"
          + " against the recorded Last-Modified instead");
    }
    RangeSet written = st.trusted(bootId);
    if (written.size() < st.written().size()) {
      notice("the system restarted since the last run: keeping the " + written.size()
          + " bytes that were forced to disk, fetching the rest again");
    }
    long partSize = Files.size(partPath);
    // Nothing beyond the part file's end or the file's length can be there.
    long limit = Math.min(partSize, now.length());
    RangeSet kept = written.copy();
    kept.remove(limit, Long.MAX_VALUE);
    RangeSet durable = st.durable().copy();
    durable.remove(limit, Long.MAX_VALUE);
    return new Resume(kept, durable);
  }


  /**
   * A partial download is resumed, or its part file reused, only when no other user could have
   * planted or changed it.
   */
  private static void refuseUnlessPrivate(Path p) throws IOException {
    String why = PrivateFiles.whyNotPrivate(p);
    if (why != null) {
      throw new DownloadException(FailureKind.LOCAL_IO, "not using " + p + ": " + why
          + " (remove it, or choose another output name)");
    }
  }

  private DownloadResult fetchAndCommit(RequestSender sender, Probe probe, Resume resume,
      Path out, Path partPath, StateStore store) throws IOException {
    RemoteFile remote = probe.remote();
    Validators v = remote.validators();
    URI finalUri = remote.finalUri();
    // The state exists before the part file does, so a part file is never left without one.
    // It is forced to disk only when it carries forced bytes worth keeping: a fresh state lost
    // in a power cut costs nothing (the next run starts over, as it would have).
    store.save(new ResumeState(url, finalUri, v, bootId, resume.written(), resume.durable()),
        !resume.durable().isEmpty());
    PartFile part = openPart(partPath);
    boolean partHandedOff = false;
    try {
      if (resume.written().isEmpty()) {
        part.truncate(0);
      } else if (part.size() > v.length()) {
        part.truncate(v.length());
      }
      WrittenRanges l = new WrittenRanges(resume.written());
      ledger = l;
      long resumed = l.size();
      if (resumed > 0) {
        notice("resuming: " + resumed + " of " + v.length() + " bytes already here");
      }
      Checkpointer checkpointer = new Checkpointer(store,
          ranges -> new ResumeState(url, finalUri, v, bootId, ranges[0], ranges[1]), l,
          resume.durable(), part, options.saveInterval(), options.durableInterval(),
          e -> stop.stop(new DownloadException(FailureKind.LOCAL_IO, "cannot save resume state "
              + store.path() + ": " + RequestSender.describe(e), e)),
          () -> speed.sample(System.nanoTime(), fetched.get()));
      checkpointer.start(executor);
      long length;
      try {
        stop.check();
        length = fetchAll(sender, remote.contentCoding(), part, l, probe);
      } catch (IOException | RuntimeException e) {
        checkpointer.close();
        if (e instanceof DownloadException d && d.kind() == FailureKind.TOO_LARGE) {
          // Only a body of unannounced length gets here, and such a download cannot resume.
          part.close();
          store.delete();
          Files.deleteIfExists(partPath);
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
      if (part.size() != length) {
        part.truncate(length);
      }
      // Saved complete: a cancel from here on leaves a download that the next run only needs to
      // force, check and rename.
      checkpointer.saveQuick();
      // Forced before the rename: a file at the output path must be complete even after a
      // power cut.
      if (!forceUnlessStopped(part)) {
        // The force goes on in the background and closes the part file when it ends.
        partHandedOff = true;
        throw stop.asException();
      }
      verifyChecksum(part, partPath, store);
      part.close();
      commit(partPath, out);
      applyRemoteTime(out, v.lastModified());
      store.delete();
      speed.sample(System.nanoTime(), fetched.get());
      return new DownloadResult(out, length, fetched.get(), resumed,
          Duration.ofNanos(System.nanoTime() - startNanos));
    } finally {
      if (!partHandedOff) {
        part.close();
      }
    }
  }

  /**
   * Forces the part file to disk on the executor, waiting on the stop signal: a flush of
   * gigabytes can take seconds, and a cancel must not wait for it.
   *
   * @return true when forced; false when stopped first (the part file is then closed by the
   *     flush when it ends)
   */
  private boolean forceUnlessStopped(PartFile part) throws IOException {
    CompletableFuture<Void> forced = new CompletableFuture<>();
    executor.execute(() -> {
      try {
        part.force();
        forced.complete(null);
      } catch (IOException | RuntimeException e) {
        forced.completeExceptionally(e);
      }
    });
    while (!forced.isDone()) {
      if (!stop.pauseNanos(10_000_000L)) {
        forced.whenComplete((ok, e) -> closeQuietly(part, e));
        return false;
      }
    }
    try {
      forced.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof IOException io) {
        throw new DownloadException(FailureKind.LOCAL_IO, "cannot force " + part.path()
            + " to disk: " + RequestSender.describe(io), io);
      }
      throw e;
    }
    return true;
  }

  /** Closes the part file after a background force; a failure there is reported, not lost. */
  private void closeQuietly(PartFile part, Throwable forceFailure) {
    try {
      part.close();
    } catch (IOException e) {
      notice("cannot close " + part.path() + ": " + RequestSender.describe(e));
    }
    if (forceFailure != null) {
      notice("forcing " + part.path() + " to disk failed after the download was stopped: "
          + forceFailure);
    }
  }

  /** A fetch phase: its own stop signal, a child of the download's. */
  private FetchContext newPhase(RequestSender sender, RemoteFile remote, String contentCoding,
      PartFile part, WrittenRanges l, RateLimiter limiter) {
    return new FetchContext(sender, remote.finalUri(), remote.validators(), remote.ifRange(),
        contentCoding, part, l, options, limiter, fetched, activeConnections, stop.child());
  }

  private long fetchAll(RequestSender sender, String contentCoding, PartFile part,
      WrittenRanges l, Probe probe) throws IOException {
    RemoteFile remote = probe.remote();
    long length = remote.length();
    if (length == 0) {
      return 0;
    }
    // One limiter for every phase: the rate holds across a fall back to one stream.
    RateLimiter limiter = new RateLimiter(options.limitRate(), System::nanoTime);
    FetchContext c = newPhase(sender, remote, contentCoding, part, l, limiter);
    if (length > 0 && remote.rangesWork()) {
      List<ByteRange> missing = l.snapshot().missing(length);
      if (missing.isEmpty()) {
        probe.close();
        return length;
      }
      ParallelFetch fetch = new ParallelFetch(c, missing, options.connections(), executor);
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

  private PartFile openPart(Path partPath) throws DownloadException {
    PartFile part;
    try {
      part = PartFile.open(partPath);
    } catch (AccessDeniedException e) {
      throw new DownloadException(FailureKind.LOCAL_IO, "no permission to write " + partPath, e);
    } catch (IOException e) {
      throw new DownloadException(FailureKind.LOCAL_IO, "cannot open " + partPath + ": "
          + RequestSender.describe(e), e);
    }
    try {
      if (part.channel().tryLock() == null) {
        throw new OverlappingFileLockException();
      }
    } catch (OverlappingFileLockException | IOException e) {
      try {
        part.close();
      } catch (IOException ce) {
        e.addSuppressed(ce);
      }
      throw new DownloadException(FailureKind.LOCAL_IO, "another download is writing " + partPath,
          e);
    }
    return part;
  }

  private void verifyChecksum(PartFile part, Path partPath, StateStore store) throws IOException {
    if (options.checksum() == null) {
      return;
    }
    MessageDigest md = options.checksum().newDigest();
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    FileChannel ch = part.channel();
    long pos = 0;
    while (true) {
      stop.check();
      buf.clear();
      int n = ch.read(buf, pos);
      if (n < 0) {
        break;
      }
      buf.flip();
      md.update(buf);
      pos += n;
    }
    byte[] digest = md.digest();
    if (!options.checksum().matches(digest)) {
      part.close();
      // The bytes are complete but wrong: keeping them would only make the next run "resume"
      // to the same wrong file.
      Files.deleteIfExists(partPath);
      store.delete();
      throw new DownloadException(FailureKind.CHECKSUM_MISMATCH, options.checksum().algorithm()
          + " mismatch: expected " + options.checksum().expectedHex() + ", got "
          + java.util.HexFormat.of().formatHex(digest) + "; the download was discarded");
    }
  }

  private static void commit(Path partPath, Path out) throws DownloadException {
    try {
      // Owner-only while partial; the finished file gets what any new file would.
      PrivateFiles.setDefaultPermissions(partPath);
      try {
        Files.move(partPath, out, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partPath, out, StandardCopyOption.REPLACE_EXISTING);
      }
      StateStore.syncDirectory(out.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new DownloadException(FailureKind.LOCAL_IO, "cannot rename " + partPath + " to "
          + out + ": " + RequestSender.describe(e), e);
    }
  }

  private void notice(String message) {
    options.notices().accept(message);
  }
}
