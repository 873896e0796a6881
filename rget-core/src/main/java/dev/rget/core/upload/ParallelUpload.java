package dev.rget.core.upload;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.SafeText;
import dev.rget.core.http.HttpUrl;
import dev.rget.core.upload.TusRequests.Reply;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Sends one local file as N partial tus uploads in parallel ({@code Upload-Concat: partial}, each
 * a {@link TusUpload} of its byte range: resumed by {@code HEAD}, retried, checksummed), then asks
 * the server to join them ({@code Upload-Concat: final;URL1 URL2 ...}). Used when the server lists
 * {@code concatenation} in its {@code Tus-Extension} and each part would be at least
 * {@value #MIN_PART} bytes; otherwise the file goes as one stream, with a notice.
 *
 * <p>Crash safety: the {@link UploadState} records each part's URL as soon as it is created, that
 * the final upload was asked for (before its {@code POST} leaves), and the final URL once
 * answered. Run again after a crash, the parts resume from the server's offsets; a recorded final
 * URL is checked with {@code HEAD} and not asked for again. If the crash fell between sending the
 * final {@code POST} and reading its answer, the parts are asked for: all still there and complete,
 * the final upload is asked for again (the first one never reached the server, or the server kept
 * the parts, and then it may hold the file twice); any of them gone (a server deletes parts it
 * joined), whether the final upload exists cannot be known, and the whole upload starts again
 * rather than risk losing the file: the server may then hold it twice. A part the server no longer
 * knows before that point is created again on its own.
 *
 * <p>Every upload goes through here: with one part (or when the file or the server rule parts
 * out) it runs one {@link TusUpload}; an unfinished upload of the other kind that an earlier run
 * began is finished as it was begun, with a notice. The parts run on threads of their own (an
 * executor the caller gave may be a single thread). Not thread-safe except {@link #cancel()}.
 */
public final class ParallelUpload {
  /** The smallest part worth its own request stream. */
  public static final long MIN_PART = 4L << 20;


  private final Path file;
  private final URI endpoint;
  /** The token, headers, login and connections, shared by every part. */
  private final Reach reach;
  private final long chunkSize;
  private final int retries;
  private final int parts;
  private final Path stateDir;
  private final UploadState state;
  private final TusUpload.Listener listener;
  private final TusUpload.RetryListener retryListener;
  private final Consumer<String> notices;
  /**
   * The control requests (OPTIONS, HEAD, the final POST), each on a connection of its own on
   * plain http: a final POST must never be sent twice unasked.
   */
  private final TusRequests requests;
  private final List<TusUpload> running = new ArrayList<>();
  /** Each part's confirmed offset, for the summed progress. */
  private long[] offsets;
  private volatile long total;

  private ParallelUpload(Path file, URI endpoint, UploadOptions o, TusUpload.Listener listener) {
    this.file = file;
    this.reach = Reach.of(endpoint, o);
    this.endpoint = reach.endpoint();
    this.requests = new TusRequests(reach, false);
    this.chunkSize = o.chunkSize();
    this.retries = o.retries();
    this.parts = o.parallel();
    this.stateDir = o.stateDir();
    this.state = UploadState.of(o.stateDir(), file, this.endpoint);
    this.listener = listener;
    this.retryListener = o.retryListener();
    this.notices = o.noticeListener();
  }

  /**
   * An upload of {@code file} to {@code endpoint} in {@link UploadOptions#parallel()} parts,
   * telling {@code listener} the sum of the parts' confirmed offsets.
   */
  static ParallelUpload of(Path file, URI endpoint, UploadOptions options, TusUpload.Listener listener)
      throws DownloadException {
    String problem = HttpUrl.problem(endpoint);
    if (problem != null) {
      throw new DownloadException(FailureKind.USAGE, "cannot upload to " + endpoint + ": " + problem);
    }
    return new ParallelUpload(file, endpoint, options, listener);
  }

  /** Stops every part at once; {@link #run()} then throws CANCELLED. The state is kept. */
  public void cancel() {
    requests.cancel();
    synchronized (running) {
      running.forEach(TusUpload::cancel);
    }
  }

  private void checkCancelled() throws DownloadException {
    if (requests.cancelled()) {
      throw new DownloadException(FailureKind.CANCELLED, "upload cancelled");
    }
  }

  /**
   * Runs the upload to its end, in parts when the server and the file allow, else as one stream.
   *
   * @throws DownloadException as {@link TusUpload#run()}
   */
  public TusUpload.Result run() throws DownloadException {
    TusRequests.FileIdentity identity = TusRequests.FileIdentity.of(file);
    long size = identity.size();
    long mtime = identity.mtimeMillis();
    total = size;
    UploadState.PartsEntry st = loadParts().filter(s -> s.size() == size && s.mtimeMillis() == mtime)
        .orElse(null);
    if (st != null && parts < 2) {
      // An earlier run with -n began in parts: finishing them beats starting over.
      notices.accept("resuming the upload in " + st.partLengths().size() + " parts that an earlier run began");
    }
    if (st == null && parts < 2) {
      return single();
    }
    if (st == null && hasSingleState(size, mtime)) {
      notices.accept("resuming the upload as one stream, as an earlier run began it");
      return single();
    }
    if (st == null) {
      int n = (int) Math.min(parts, size / MIN_PART);
      if (n < 2) {
        notices.accept("the file is too small for " + parts + " parts of at least "
            + (MIN_PART >> 20) + " MiB; uploading it as one stream");
        return single();
      }
      if (!offersConcatenation()) {
        notices.accept("the server does not offer tus concatenation; uploading as one stream");
        return single();
      }
      if (n < parts) {
        notices.accept("uploading in " + n + " parts (each at least " + (MIN_PART >> 20) + " MiB)");
      }
      st = fresh(size, mtime, n);
    }
    long resumed = 0;
    long sent = 0;
    int finalFailures = 0;
    while (true) {
      checkCancelled();
      if (st.finalUrl() != null) {
        if (finalExists(st.finalUrl())) {
          return finish(st, size, 0, 0);
        }
        notices.accept("the final upload " + SafeText.withoutPassword(st.finalUrl())
            + " is gone from the server; uploading again");
        st = fresh(size, mtime, st.partLengths().size());
        continue;
      }
      if (st.finalRequested()) {
        // The answer to the final POST was never read: did it reach the server?
        if (!partsComplete(st)) {
          notices.accept("cannot tell whether the server joined the parts (they are gone);"
              + " uploading again, so the server may hold the file twice");
          st = fresh(size, mtime, st.partLengths().size());
          continue;
        }
        notices.accept("asking again for the final upload, whose answer was lost");
      } else {
        long[] sums = runParts(st);
        resumed = sums[0];
        sent = sums[1];
        st = loadParts().orElseThrow(() -> new DownloadException(FailureKind.LOCAL_IO,
            "upload state " + state.path() + " vanished"));
      }
      try {
        return finalUpload(st, size, resumed, sent);
      } catch (Retryable e) {
        // Whether the server created the final upload is not known: the loop asks the parts.
        pauseAfter(++finalFailures, e);
        st = st.withFinal(null);
      }
    }
  }

  /** A control request that failed in a way worth another try; its cause is the failure. */
  private static final class Retryable extends DownloadException {
    Retryable(DownloadException cause) {
      super(cause.kind(), cause.getMessage(), cause);
    }
  }

  /** A control request that may be sent again as it is (OPTIONS, HEAD). */
  @FunctionalInterface
  private interface Call<T> {
    T call() throws DownloadException;
  }

  /** Runs an idempotent control request, retried as a part's requests are. */
  private <T> T retried(Call<T> call) throws DownloadException {
    int failures = 0;
    while (true) {
      try {
        return call.call();
      } catch (Retryable e) {
        pauseAfter(++failures, e);
      }
    }
  }

  /** Gives up after the retries, else tells the retry listener and waits (cancel ends the wait). */
  private void pauseAfter(int failures, Retryable e) throws DownloadException {
    DownloadException cause = (DownloadException) e.getCause();
    if (failures > retries) {
      throw new DownloadException(cause.kind(), "gave up after " + retries
          + (retries == 1 ? " retry: " : " retries: ") + cause.getMessage(), cause);
    }
    Duration pause = TusUpload.pause(failures);
    retryListener.retrying(failures, pause, cause);
    try {
      if (requests.pause(pause)) {
        checkCancelled();
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new DownloadException(FailureKind.CANCELLED, "upload interrupted", ex);
    }
  }

  /** Whether an earlier single-stream run of this file left its upload URL. */
  private boolean hasSingleState(long size, long mtime) throws DownloadException {
    try {
      return state.load().filter(s -> s.size() == size && s.mtimeMillis() == mtime).isPresent();
    } catch (IOException e) {
      throw local("cannot read upload state " + state.path(), e);
    }
  }

  /** The whole file as one stream (the fallback). */
  private TusUpload.Result single() throws DownloadException {
    TusUpload u = TusUpload.builder(file, endpoint).reach(reach).chunkSize(chunkSize).retries(retries)
        .stateDir(stateDir).listener(listener).retryListener(retryListener).build();
    synchronized (running) {
      running.add(u);
    }
    if (requests.stopped()) {
      u.cancel();
    }
    return u.run();
  }

  /** A new entry of {@code n} parts (the last one takes the remainder), recorded. */
  private UploadState.PartsEntry fresh(long size, long mtime, int n) throws DownloadException {
    List<Long> lengths = new ArrayList<>(n);
    List<URI> urls = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      lengths.add(i < n - 1 ? size / n : size - (size / n) * (n - 1));
      urls.add(null);
    }
    UploadState.PartsEntry e = new UploadState.PartsEntry(size, mtime, lengths, urls, false, null);
    saveParts(e);
    return e;
  }

  /**
   * Runs every part on its own thread until all are complete; the first failure cancels the
   * others. Returns {resumed from, bytes sent}, summed over the parts.
   */
  private long[] runParts(UploadState.PartsEntry st) throws DownloadException {
    int n = st.partLengths().size();
    offsets = new long[n];
    List<TusUpload> uploads = new ArrayList<>(n);
    long start = 0;
    for (int i = 0; i < n; i++) {
      int index = i;
      long len = st.partLengths().get(i);
      TusUpload u = TusUpload.builder(file, endpoint).reach(reach).chunkSize(chunkSize).retries(retries)
          .stateDir(stateDir).retryListener(retryListener)
          .listener((offset, length) -> progressed(index, offset))
          .part(start, len, new Memory(index)).build();
      uploads.add(u);
      start += len;
    }
    synchronized (running) {
      running.addAll(uploads);
    }
    if (requests.stopped()) {
      cancel();
    }
    List<CompletableFuture<TusUpload.Result>> results = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      TusUpload u = uploads.get(i);
      CompletableFuture<TusUpload.Result> f = new CompletableFuture<>();
      results.add(f);
      Thread t = new Thread(() -> {
        try {
          f.complete(u.run());
        } catch (DownloadException e) {
          f.completeExceptionally(e);
        } catch (RuntimeException | Error e) {
          f.completeExceptionally(new DownloadException(FailureKind.INTERNAL, "upload part failed: " + e, e));
        }
      }, "rget-upload-part-" + i);
      t.setDaemon(true);
      t.start();
      // The first part to fail stops the others: the run is over either way.
      f.whenComplete((r, e) -> {
        if (e != null) {
          uploads.forEach(TusUpload::cancel);
        }
      });
    }
    DownloadException first = null;
    long resumed = 0;
    long sent = 0;
    for (CompletableFuture<TusUpload.Result> f : results) {
      try {
        TusUpload.Result r = f.get();
        resumed += r.resumedFrom();
        sent += r.bytesSent();
      } catch (ExecutionException e) {
        DownloadException d = (DownloadException) e.getCause();
        // Report what went wrong, not the cancels it caused in the other parts.
        if (first == null || (first.kind() == FailureKind.CANCELLED && d.kind() != FailureKind.CANCELLED)) {
          first = d;
        }
      } catch (InterruptedException e) {
        cancel();
        Thread.currentThread().interrupt();
        throw new DownloadException(FailureKind.CANCELLED, "upload interrupted", e);
      }
    }
    synchronized (running) {
      running.removeAll(uploads);
    }
    if (first != null) {
      throw first;
    }
    return new long[] {resumed, sent};
  }

  private void progressed(int index, long offset) {
    // Under the lock, so that the sums reach the listener in order.
    synchronized (this) {
      offsets[index] = offset;
      long sum = 0;
      for (long o : offsets) {
        sum += o;
      }
      listener.progress(sum, total);
    }
  }

  /**
   * Records that the final upload is asked for, asks for it, records its URL, then forgets the
   * state.
   */
  private TusUpload.Result finalUpload(UploadState.PartsEntry st, long size, long resumed, long sent)
      throws DownloadException {
    st = st.withFinal(null);
    saveParts(st);
    StringBuilder concat = new StringBuilder("final;");
    for (URI u : st.partUrls()) {
      concat.append(concat.length() > 6 ? " " : "").append(u.toString());
    }
    Map<String, String> h = headers();
    h.put("Upload-Concat", concat.toString());
    h.put("Upload-Metadata", "filename " + Base64.getEncoder().encodeToString(
        file.getFileName().toString().getBytes(StandardCharsets.UTF_8)));
    Reply r = send("POST", endpoint, h);
    if (r.status() != 201) {
      throw new DownloadException(FailureKind.HTTP_STATUS, "HTTP " + r.status()
          + " from POST (final upload) " + SafeText.withoutPassword(endpoint));
    }
    st = st.withFinal(TusRequests.location(r, endpoint));
    saveParts(st);
    return finish(st, size, resumed, sent);
  }

  private TusUpload.Result finish(UploadState.PartsEntry st, long size, long resumed, long sent)
      throws DownloadException {
    try {
      state.delete();
    } catch (IOException e) {
      throw local("upload finished but its state " + state.path() + " could not be removed", e);
    }
    listener.progress(size, size);
    return new TusUpload.Result(st.finalUrl(), size, resumed, sent);
  }

  /** Whether the server lists {@code concatenation} in its Tus-Extension (OPTIONS). */
  private boolean offersConcatenation() throws DownloadException {
    Reply r = retried(() -> send("OPTIONS", endpoint, headers()));
    if (r.status() != 200 && r.status() != 204) {
      return false;
    }
    for (String v : r.all("tus-extension")) {
      for (String ext : v.split(",")) {
        if (ext.trim().toLowerCase(Locale.ROOT).equals("concatenation")) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether the server still knows the final upload (HEAD answers 200). */
  private boolean finalExists(URI url) throws DownloadException {
    int status = head(url).status();
    if (status == 200) {
      return true;
    }
    if (status == 404 || status == 410) {
      return false;
    }
    throw new DownloadException(FailureKind.HTTP_STATUS, "HTTP " + status + " from HEAD "
        + SafeText.withoutPassword(url));
  }

  /** Whether every part is still on the server with all its bytes. */
  private boolean partsComplete(UploadState.PartsEntry st) throws DownloadException {
    for (int i = 0; i < st.partUrls().size(); i++) {
      URI u = st.partUrls().get(i);
      if (u == null) {
        return false;
      }
      Reply r = head(u);
      if (r.status() == 404 || r.status() == 410) {
        return false;
      }
      if (r.status() != 200) {
        throw new DownloadException(FailureKind.HTTP_STATUS, "HTTP " + r.status() + " from HEAD "
            + SafeText.withoutPassword(u));
      }
      String len = String.valueOf(st.partLengths().get(i));
      if (!r.all("upload-offset").equals(List.of(len)) || !r.all("upload-length").equals(List.of(len))) {
        return false;
      }
    }
    return true;
  }

  private Reply head(URI url) throws DownloadException {
    return retried(() -> send("HEAD", url, headers()));
  }

  private Map<String, String> headers() {
    return requests.headers();
  }

  /** One control request, cancelled at once by {@link #cancel()}; a network failure is NETWORK. */
  private Reply send(String method, URI url, Map<String, String> headers) throws DownloadException {
    try {
      return serverTrouble(method, url, requests.send(method, url, headers, null, 0, 0, null));
    } catch (DownloadException e) {
      throw e;
    } catch (IOException e) {
      throw new Retryable(new DownloadException(FailureKind.NETWORK, method + " "
          + SafeText.withoutPassword(url) + ": " + e, e));
    }
  }

  /** {@code r}, unless it is a 5xx, 423 or 429, which are worth another try (as for the parts). */
  private static Reply serverTrouble(String method, URI url, Reply r) throws Retryable {
    int s = r.status();
    if (s >= 500 || s == 423 || s == 429) {
      throw new Retryable(new DownloadException(FailureKind.HTTP_STATUS, "HTTP " + s + " from "
          + method + " " + SafeText.withoutPassword(url)));
    }
    return r;
  }

  private Optional<UploadState.PartsEntry> loadParts() throws DownloadException {
    try {
      return state.loadParts();
    } catch (IOException e) {
      throw local("cannot read upload state " + state.path(), e);
    }
  }

  private void saveParts(UploadState.PartsEntry e) throws DownloadException {
    try {
      state.saveParts(e);
    } catch (IOException ex) {
      throw local("cannot write upload state " + state.path(), ex);
    }
  }

  private static DownloadException local(String message, IOException e) {
    return TusRequests.local(message, e);
  }

  /** Part {@code index}'s URL in the state file, shared by the parts' threads. */
  private final class Memory implements PartMemory {
    private final int index;

    Memory(int index) {
      this.index = index;
    }

    @Override
    public URI url() throws DownloadException {
      return loadParts().map(e -> e.partUrls().get(index)).orElse(null);
    }

    @Override
    public void created(URI url) throws DownloadException {
      // Parts are created concurrently: read, change one slot, write, under one lock.
      synchronized (ParallelUpload.this.state) {
        UploadState.PartsEntry e = loadParts().orElseThrow(() -> new DownloadException(FailureKind.LOCAL_IO,
            "upload state " + state.path() + " vanished"));
        saveParts(e.withPart(index, url));
      }
    }
  }
}
