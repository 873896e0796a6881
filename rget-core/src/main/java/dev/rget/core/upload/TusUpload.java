package dev.rget.core.upload;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.SafeText;
import dev.rget.core.http.HttpUrl;
import dev.rget.core.upload.TusRequests.Reply;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Sends one local file to a tus 1.0.0 creation endpoint, resumably: creates an upload
 * ({@code POST} with {@code Upload-Length} and the {@code filename} metadata), then appends it in
 * chunks ({@code PATCH} with {@code Upload-Offset} and {@code Upload-Checksum} in the cheapest
 * algorithm the server's {@code OPTIONS} offers: {@link TusChecksum#choose}). The
 * upload URL is remembered in an {@link UploadState}, so that running again after any
 * interruption asks the server for its offset ({@code HEAD}) and sends only the rest. A
 * remembered upload the server no longer knows ({@code 404}, {@code 410}) or a local file whose
 * size or modification time changed starts a new upload.
 *
 * <p>Within one run, a failed request (the connection dropped or was refused, a 5xx, 423, 429
 * or 460) is retried after a growing pause (250 ms doubled per failure, at most
 * {@value #MAX_PAUSE_MILLIS} ms), each time asking the server for its offset first, so a
 * restarted server is resumed from what it made durable. The count of failures in a row is
 * bounded ({@link Builder#retries(int)}); a chunk the server accepted resets it.
 *
 * <p>A bearer token, when given, is sent on every request to the endpoint's origin and is never
 * stored or put in a message; so are the login and headers of {@link UploadOptions} (see
 * {@link Reach}). Redirects are not followed (they would carry the token elsewhere). Not
 * thread-safe except {@link #cancel()}.
 */
public final class TusUpload {
  /** Told after each chunk the server confirmed, and when a run learns the server's offset. */
  @FunctionalInterface
  public interface Listener {
    /** The server holds {@code offset} of {@code length} bytes. */
    void progress(long offset, long length);
  }

  /** Told of a failure that will be retried. */
  @FunctionalInterface
  public interface RetryListener {
    /** Attempt {@code failures} failed with {@code cause}; the next one starts after {@code pause}. */
    void retrying(int failures, Duration pause, DownloadException cause);
  }

  /**
   * How an upload ended.
   *
   * @param uploadUrl where the upload lives on the server
   * @param length the file's length
   * @param resumedFrom the server's offset when this run first learnt it (0 for a new upload)
   * @param bytesSent request body bytes this run handed to the network, retries included (a body
   *     cut off midway does not count)
   */
  public record Result(URI uploadUrl, long length, long resumedFrom, long bytesSent) {}

  /** A chunk size as the builders take it: 1 byte to 1 GiB, or 0 for automatic. */
  static long checkChunkSize(long bytes) {
    if (bytes < 0 || bytes > (1L << 30)) {
      throw new IllegalArgumentException("chunk size must be between 1 byte and 1 GiB (0: automatic)");
    }
    return bytes;
  }

  /** A number of retries as the builders take it: 0 or more. */
  static int checkRetries(int retries) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be 0 or more");
    }
    return retries;
  }

  /**
   * Chunk size when none is set: 1/128 of the file, between 1 MiB and 16 MiB. A {@code PATCH} cut
   * off loses its whole chunk (its checksum cannot be checked, so the server keeps nothing of it),
   * and a {@code PATCH} refused because the cut one still held the upload ({@code 423}) may have
   * sent as much again: 1/128 bounds what an interruption costs to about 1.6 % of the file, and
   * 16 MiB keeps the number of requests (each one a disk flush on the server) low for big files.
   */
  public static long autoChunkSize(long fileSize) {
    return Math.max(MIN_AUTO_CHUNK, Math.min(MAX_AUTO_CHUNK, fileSize / 128));
  }

  /** Default number of failures in a row before giving up. */
  public static final int DEFAULT_RETRIES = 8;

  private static final long MIN_AUTO_CHUNK = 1 << 20;
  private static final long MAX_AUTO_CHUNK = 16 << 20;
  /** The buffer the chunk is hashed through before it is sent. */
  private static final int HASH_BUFFER = 1 << 20;
  private static final long BASE_PAUSE_MILLIS = 250;
  private static final long MAX_PAUSE_MILLIS = 10_000;

  private final Path file;
  private final URI endpoint;
  private final long chunkSize;
  private final int retries;
  private final UploadState state;
  private final Listener listener;
  private final RetryListener retryListener;
  /** For a part of a parallel upload: its byte range of the file and where its URL is kept; else null. */
  private final PartMemory part;
  private final long partStart;
  private final long partLength;
  /** Its requests; on plain http the connection is kept from one to the next. */
  private final TusRequests requests;
  private long bytesSent;
  private ByteBuffer hashBuffer;
  /** What each PATCH's Upload-Checksum uses; null until the server was asked (OPTIONS). */
  private TusChecksum algorithm;
  /** The checksum of the next chunk, hashed while the previous one was stored; null if none. */
  private Ahead ahead;

  /** A PATCH written on the kept connection whose answer is not read yet. */
  private Sent inFlight;
  /** Set when the server answered a pipelined PATCH as if it had not waited for the one before. */
  private boolean pipelineRefused;

  /**
   * A PATCH on the wire: its chunk, and whether it was written behind another one whose answer was
   * not read yet.
   */
  private record Sent(long offset, long len, boolean behind) {}

  /** A chunk's checksum computed ahead of its PATCH, or why it could not be. */
  private record Ahead(long offset, long len, String checksum, IOException failure) {}

  private TusUpload(Builder b, Reach reach) {
    this.file = b.file;
    this.endpoint = reach.endpoint();
    this.requests = new TusRequests(reach, true);
    this.chunkSize = b.chunkSize;
    this.retries = b.retries;
    this.state = UploadState.of(b.stateDir, b.file, endpoint);
    this.listener = b.listener;
    this.retryListener = b.retryListener;
    this.part = b.part;
    this.partStart = b.partStart;
    this.partLength = b.partLength;
  }

  /** A builder for uploading {@code file} to the tus creation URL {@code endpoint}. */
  public static Builder builder(Path file, URI endpoint) {
    return new Builder(file, endpoint);
  }

  /**
   * Stops the upload at once: the request in flight is abandoned and a pause between retries
   * ends; {@link #run()} then throws a {@link DownloadException} of kind
   * {@link FailureKind#CANCELLED}. The state is kept for a later run to resume. Safe to call from
   * any thread, more than once.
   */
  public void cancel() {
    requests.cancel();
  }

  private boolean cancelled() {
    return requests.cancelled();
  }

  /**
   * Runs the upload to its end (resuming a remembered one when it still matches) and forgets
   * the state when the server holds every byte.
   *
   * @throws DownloadException USAGE for a bad endpoint, NETWORK (after the retries) for a server
   *     that cannot be reached, HTTP_STATUS for an error status, PROTOCOL for a server breaking
   *     tus rules, LOCAL_IO for the file or state, CANCELLED
   */
  public Result run() throws DownloadException {
    TusRequests.FileIdentity identity = TusRequests.FileIdentity.of(file);
    long size = identity.size();
    long mtime = identity.mtimeMillis();
    if (part != null) {
      // A part sends only its range; its parent checked the file's identity.
      size = partLength;
    }
    long chunk = chunkSize > 0 ? chunkSize : autoChunkSize(size);
    URI url;
    if (part != null) {
      url = part.url();
    } else {
      long fileSize = size;
      url = loadState().filter(s -> s.size() == fileSize && s.mtimeMillis() == mtime)
          .map(UploadState.Entry::uploadUrl).orElse(null);
    }
    long offset = -1; // -1: not known, ask the server
    long resumedFrom = -1;
    int failures = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (true) {
        checkCancelled(offset);
        try {
          if (url != null && offset < 0) {
            OptionalLong known = head(url, size);
            if (known.isEmpty()) {
              url = null; // gone from the server (or not ours): start again
            } else {
              offset = known.getAsLong();
              listener.progress(offset, size);
            }
          }
          if (url == null) {
            url = create(size);
            if (part != null) {
              part.created(url);
            } else {
              saveState(url, size, mtime);
            }
            offset = 0;
          }
          if (resumedFrom < 0) {
            resumedFrom = offset;
          }
          if (offset == size) {
            break;
          }
          if (algorithm == null) {
            // Asked once the upload exists, so that a server that fails fails at POST or HEAD.
            algorithm = discoverChecksum();
          }
          long next = step(url, offset, ch, chunk, size);
          if (next < 0) {
            // 409: ask where the server is. A server that keeps saying so is not making progress.
            if (++failures > retries) {
              throw new DownloadException(FailureKind.PROTOCOL, "gave up: the server kept answering 409 to"
                  + " PATCH at the offset its HEAD gave, " + SafeText.withoutPassword(url));
            }
            offset = -1;
          } else {
            offset = next;
            failures = 0;
            listener.progress(offset, size);
          }
        } catch (RetryableException e) {
          failures++;
          if (cancelled()) {
            checkCancelled(offset);
          }
          if (failures > retries) {
            throw new DownloadException(e.getCause() instanceof DownloadException d ? d.kind() : FailureKind.NETWORK,
                "gave up after " + retries + (retries == 1 ? " retry: " : " retries: ") + e.getMessage(), e.getCause());
          }
          Duration pause = pause(failures);
          retryListener.retrying(failures, pause, (DownloadException) e.getCause());
          pauseOrStop(pause, offset);
          offset = -1;
        }
      }
    } catch (IOException e) {
      if (e instanceof DownloadException d) {
        throw d;
      }
      throw local("cannot read " + file, e);
    } finally {
      requests.close();
    }
    if (part != null) {
      return new Result(url, size, resumedFrom, bytesSent);
    }
    try {
      state.delete();
    } catch (IOException e) {
      throw local("upload finished but its state " + state.path() + " could not be removed", e);
    }
    return new Result(url, size, resumedFrom, bytesSent);
  }

  private void checkCancelled(long offset) throws DownloadException {
    if (cancelled()) {
      throw new DownloadException(FailureKind.CANCELLED,
          "upload cancelled" + (offset >= 0 ? " at " + offset : ""));
    }
  }

  private void pauseOrStop(Duration pause, long offset) throws DownloadException {
    try {
      if (requests.pause(pause)) {
        checkCancelled(offset);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DownloadException(FailureKind.CANCELLED, "upload interrupted", e);
    }
  }

  /** A random pause in [d/2, d], d = 250 ms doubled per failure, at most 10 s. */
  static Duration pause(int failures) {
    long d = Math.min(MAX_PAUSE_MILLIS, BASE_PAUSE_MILLIS << Math.min(16, Math.max(0, failures - 1)));
    return Duration.ofMillis(d / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(d / 2 + 1));
  }

  private Optional<UploadState.Entry> loadState() throws DownloadException {
    try {
      return state.load();
    } catch (IOException e) {
      throw local("cannot read upload state " + state.path(), e);
    }
  }

  private void saveState(URI url, long size, long mtime) throws DownloadException {
    try {
      state.save(new UploadState.Entry(url, size, mtime));
    } catch (IOException e) {
      throw local("cannot write upload state " + state.path(), e);
    }
  }

  /** The checksum algorithm to use, from the server's {@code OPTIONS} answer. */
  private TusChecksum discoverChecksum() throws DownloadException {
    Reply r = exchange("OPTIONS", endpoint, headers(), null, 0, 0);
    return TusChecksum.choose(r.status(), r.headers());
  }

  /** The server's offset for a remembered upload, or empty when it no longer knows it. */
  private OptionalLong head(URI url, long size) throws DownloadException {
    Reply r = exchange("HEAD", url, headers(), null, 0, 0);
    if (r.status() == 404 || r.status() == 410) {
      return OptionalLong.empty();
    }
    expect(r, 200, "HEAD", url);
    long length = number(r, "upload-length", url);
    if (length != size) {
      // Not the upload of this file: make a new one rather than append to a stranger.
      return OptionalLong.empty();
    }
    long offset = number(r, "upload-offset", url);
    if (offset < 0 || offset > size) {
      throw new DownloadException(FailureKind.PROTOCOL, "Upload-Offset " + offset + " out of range from "
          + SafeText.withoutPassword(url));
    }
    return OptionalLong.of(offset);
  }

  private URI create(long size) throws DownloadException {
    String name = Base64.getEncoder().encodeToString(
        file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
    Map<String, String> h = headers();
    h.put("Upload-Length", Long.toString(size));
    h.put("Upload-Metadata", "filename " + name);
    if (part != null) {
      h.put("Upload-Concat", "partial");
    }
    Reply r = exchange("POST", endpoint, h, null, 0, 0);
    expect(r, 201, "POST", endpoint);
    return TusRequests.location(r, endpoint);
  }

  /**
   * Appends the chunk at {@code offset}; returns the server's new offset, or -1 when the server
   * says the offset was wrong (409). On plain http, once the kept connection has answered, the
   * next chunk's PATCH is written right behind this one's body, at the offset this one will end
   * at, before this one's answer is read (HTTP/1.1 pipelining): the server checks, forces and
   * records one chunk while the next arrives. Answers are read in order; any other answer than
   * the expected offset drops the connection with the request behind (the loop then asks
   * {@code HEAD} or sends it again). A server that answers a pipelined PATCH with 409 or 423 (as if
   * it had not waited for the one before) gets no more pipelining in this run.
   */
  private long step(URI url, long offset, FileChannel ch, long chunk, long size) throws IOException {
    Sent current = inFlight;
    inFlight = null;
    if (current != null && (current.offset() != offset || requests.unanswered() == 0)) {
      requests.close(); // not the chunk wanted now (or its connection is gone): drop it
      current = null;
    }
    long len = Math.min(chunk, size - offset);
    long nextLen = Math.min(chunk, size - offset - len);
    if (current == null && (pipelineRefused || !requests.warm(url))) {
      return patch(url, offset, ch, len, nextLen); // alone: a new connection proves itself first
    }
    Sent behind = null;
    try {
      if (current == null) {
        current = write(url, offset, ch, len, false);
      }
      long end = current.offset() + current.len();
      if (!pipelineRefused && end < size) {
        behind = write(url, end, ch, Math.min(chunk, size - end), true);
      }
      Reply r = requests.read(url, "PATCH");
      if (behind != null && requests.unanswered() > 0) {
        inFlight = behind;
      }
      return answered(r, url, current);
    } catch (PlainHttp.ClosedUnansweredException e) {
      // The server closed the kept connection quietly (before this answer began): not its failure
      // to count. This chunk goes again alone, on a new connection.
      requests.close();
      return patch(url, offset, ch, len, nextLen);
    } catch (DownloadException e) {
      dropInFlight();
      throw e;
    } catch (IOException e) {
      dropInFlight();
      throw networkFailure("PATCH", url, e);
    }
  }

  /** Writes the PATCH of the chunk at {@code offset} without reading its answer. */
  private Sent write(URI url, long offset, FileChannel ch, long len, boolean behind) throws IOException {
    Map<String, String> h = patchHeaders(ch, offset, len);
    requests.write("PATCH", url, h, ch, partStart + offset, len);
    bytesSent += len; // counted once handed over (a body cut off midway is not)
    return new Sent(offset, len, behind);
  }

  /** The new offset from the answer to {@code sent} (see {@link #step}). */
  private long answered(Reply r, URI url, Sent sent) throws DownloadException {
    if (r.status() != 204) {
      if (sent.behind() && (r.status() == 409 || r.status() == 423)) {
        pipelineRefused = true;
      }
      dropInFlight();
      if (r.status() == 409) {
        return -1;
      }
      expect(r, 204, "PATCH", url);
    }
    long next = newOffset(r, url, sent.offset(), sent.len());
    if (next != sent.offset() + sent.len()) {
      dropInFlight(); // the one behind was sent for an offset the server did not reach
    }
    return next;
  }

  /** Drops the PATCH written behind, if any, with its connection. */
  private void dropInFlight() {
    if (inFlight != null) {
      inFlight = null;
      requests.close();
    }
  }

  /** The PATCH headers of the chunk at {@code offset}: its offset and checksum. */
  private Map<String, String> patchHeaders(FileChannel ch, long offset, long len) throws IOException {
    Map<String, String> h = headers();
    h.put("Content-Type", "application/offset+octet-stream");
    h.put("Upload-Offset", Long.toString(offset));
    String sum = checksum(ch, partStart + offset, len);
    if (sum != null) {
      h.put("Upload-Checksum", sum);
    }
    return h;
  }

  /** The server's Upload-Offset after sending {@code len} bytes at {@code offset}, checked. */
  private static long newOffset(Reply r, URI url, long offset, long len) throws DownloadException {
    long next = number(r, "upload-offset", url);
    if (next <= offset || next > offset + len) {
      throw new DownloadException(FailureKind.PROTOCOL, "Upload-Offset " + next + " after sending "
          + len + " bytes at " + offset + " to " + SafeText.withoutPassword(url));
    }
    return next;
  }

  /**
   * Appends {@code len} bytes of the file at {@code offset}; returns the server's new offset, or
   * -1 when the server says the offset was wrong (409: another client, or a response lost to a
   * crash).
   */
  private long patch(URI url, long offset, FileChannel ch, long len, long nextLen) throws IOException {
    Map<String, String> h = patchHeaders(ch, offset, len);
    // The next chunk is hashed while the server stores and checks this one.
    long nextOffset = partStart + offset + len;
    boolean hashNext = nextLen > 0 && algorithm != TusChecksum.NONE;
    boolean[] handedOver = {false};
    Runnable afterBody = () -> {
      bytesSent += len; // each time the whole body left (a request sent again counts again)
      handedOver[0] = true;
      if (hashNext) {
        ahead = hashAhead(ch, nextOffset, nextLen);
      }
    };
    Reply r = exchange("PATCH", url, h, ch, partStart + offset, len, afterBody);
    if (!handedOver[0]) {
      bytesSent += len; // a sender that does not say when the body left (https): counted once answered
    }
    if (r.status() == 409) {
      return -1;
    }
    expect(r, 204, "PATCH", url);
    return newOffset(r, url, offset, len);
  }

  private Map<String, String> headers() {
    return requests.headers();
  }

  /**
   * One request, on the kept connection on plain http. A network failure is retryable, a cancel
   * is final.
   *
   * @param body the file to send {@code len} bytes of from {@code position}, or null for none
   */
  private Reply exchange(String method, URI url, Map<String, String> headers, FileChannel body,
      long position, long len) throws DownloadException {
    return exchange(method, url, headers, body, position, len, null);
  }

  /** {@link #exchange(String, URI, Map, FileChannel, long, long)}, with work to overlap (plain http only). */
  private Reply exchange(String method, URI url, Map<String, String> headers, FileChannel body,
      long position, long len, Runnable afterBody) throws DownloadException {
    try {
      return requests.send(method, url, headers, body, position, len, afterBody);
    } catch (DownloadException e) {
      throw e;
    } catch (IOException e) {
      throw networkFailure(method, url, e);
    }
  }

  private DownloadException networkFailure(String method, URI url, Throwable cause) {
    if (cancelled()) {
      return new DownloadException(FailureKind.CANCELLED, "upload cancelled", cause);
    }
    return new RetryableException(new DownloadException(FailureKind.NETWORK,
        method + " " + SafeText.withoutPassword(url) + ": " + cause, cause));
  }

  /**
   * The checksum of the file's bytes [offset, offset + len): the one hashed ahead if it is for
   * these bytes (its failure, if hashing failed, is this chunk's), else hashed now.
   */
  private String checksum(FileChannel ch, long offset, long len) throws IOException {
    Ahead a = ahead;
    ahead = null;
    if (a != null && a.offset() == offset && a.len() == len) {
      if (a.failure() != null) {
        throw a.failure();
      }
      return a.checksum();
    }
    return algorithm.of(ch, offset, len, hashBuffer());
  }

  /** Hashes a chunk ahead of its PATCH, keeping a failure to be thrown when that chunk is sent. */
  private Ahead hashAhead(FileChannel ch, long offset, long len) {
    try {
      return new Ahead(offset, len, algorithm.of(ch, offset, len, hashBuffer()), null);
    } catch (IOException e) {
      return new Ahead(offset, len, null, e);
    }
  }

  /** The buffer chunks are read through to be hashed (direct: read and hashed in place). */
  private ByteBuffer hashBuffer() {
    if (hashBuffer == null) {
      hashBuffer = ByteBuffer.allocateDirect(HASH_BUFFER);
    }
    return hashBuffer;
  }

  private static void expect(Reply r, int status, String method, URI url) throws DownloadException {
    int got = r.status();
    if (got == status) {
      return;
    }
    DownloadException e = new DownloadException(FailureKind.HTTP_STATUS, "HTTP " + got + " from "
        + method + " " + SafeText.withoutPassword(url));
    // 5xx: the server's trouble, maybe passing; 423: an earlier request still holds the upload
    // (its connection not yet seen closed); 429: asked to slow down; 460: the body was damaged.
    if (got >= 500 || got == 423 || got == 429 || got == 460) {
      throw new RetryableException(e);
    }
    throw e;
  }

  /** The one value of a numeric header. */
  private static long number(Reply r, String name, URI url) throws DownloadException {
    List<String> v = r.headers().get(name);
    if (v == null || v.size() != 1) {
      throw new DownloadException(FailureKind.PROTOCOL, (v == null ? "no " : "several ") + name + " from "
          + SafeText.withoutPassword(url));
    }
    String t = v.get(0).trim();
    if (t.isEmpty() || t.length() > 19 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new DownloadException(FailureKind.PROTOCOL, "bad " + name + " from " + SafeText.withoutPassword(url));
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new DownloadException(FailureKind.PROTOCOL, "bad " + name + " from " + SafeText.withoutPassword(url), e);
    }
  }

  private static DownloadException local(String message, IOException e) {
    return TusRequests.local(message, e);
  }

  /** A failure worth another attempt; its cause is what to report when the attempts run out. */
  private static final class RetryableException extends DownloadException {
    RetryableException(DownloadException cause) {
      super(cause.kind(), cause.getMessage(), cause);
    }
  }

  /** Options of one upload. */
  public static final class Builder {
    private final Path file;
    private final URI endpoint;
    private String token;
    private long chunkSize;
    private int retries = DEFAULT_RETRIES;
    private Path stateDir = UploadState.defaultDirectory();
    private Listener listener = (offset, length) -> {};
    private RetryListener retryListener = (failures, pause, cause) -> {};
    private PartMemory part;
    private long partStart;
    private long partLength;
    private Reach reach;

    private Builder(Path file, URI endpoint) {
      this.file = Objects.requireNonNull(file);
      this.endpoint = Objects.requireNonNull(endpoint);
    }

    /** Sends {@code Authorization: Bearer TOKEN} on every request (null: none). */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /**
     * How the server is reached and who this says it is: the token, headers, login, proxies and
     * TLS trust of {@code options} (replacing {@link #token}).
     */
    public Builder reach(UploadOptions options) {
      return reach(Reach.of(endpoint, options));
    }

    /** A {@link Reach} shared with the other parts of a parallel upload. */
    Builder reach(Reach shared) {
      this.reach = Objects.requireNonNull(shared);
      return this;
    }

    /**
     * Bytes per {@code PATCH}: 1 byte to 1 GiB, or 0 for {@link #autoChunkSize(long)} (the
     * default).
     */
    public Builder chunkSize(long bytes) {
      this.chunkSize = checkChunkSize(bytes);
      return this;
    }

    /** Failures in a row before giving up (default {@value #DEFAULT_RETRIES}; 0: none). */
    public Builder retries(int retries) {
      this.retries = checkRetries(retries);
      return this;
    }

    /** Where upload states are kept (default {@link UploadState#defaultDirectory()}). */
    public Builder stateDir(Path dir) {
      this.stateDir = Objects.requireNonNull(dir);
      return this;
    }

    /** Told after each confirmed chunk. */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener);
      return this;
    }

    /** Told before each pause between attempts. */
    public Builder retryListener(RetryListener listener) {
      this.retryListener = Objects.requireNonNull(listener);
      return this;
    }

    /**
     * Makes this the partial upload ({@code Upload-Concat: partial}) of the file's bytes
     * [{@code start}, {@code start + length}), its URL kept by {@code memory} instead of an
     * {@link UploadState}; see {@link ParallelUpload}.
     */
    Builder part(long start, long length, PartMemory memory) {
      if (start < 0 || length < 0) {
        throw new IllegalArgumentException("bad part range");
      }
      this.part = Objects.requireNonNull(memory);
      this.partStart = start;
      this.partLength = length;
      return this;
    }

    /**
     * The upload, ready to {@link TusUpload#run()}.
     *
     * @throws DownloadException USAGE when the endpoint is not an absolute http(s) URL
     */
    public TusUpload build() throws DownloadException {
      String problem = HttpUrl.problem(endpoint);
      if (problem != null) {
        throw new DownloadException(FailureKind.USAGE, "cannot upload to " + endpoint + ": "
            + problem);
      }
      return new TusUpload(this, reach != null ? reach
          : Reach.of(endpoint, UploadOptions.builder().token(token).build()));
    }
  }
}
