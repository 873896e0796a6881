package dev.rget.core.upload;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.SafeText;
import dev.rget.core.http.HttpUrl;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Sends one local file to a tus 1.0.0 creation endpoint, resumably: creates an upload
 * ({@code POST} with {@code Upload-Length} and the {@code filename} metadata), then appends it in
 * chunks ({@code PATCH} with {@code Upload-Offset} and {@code Upload-Checksum: sha256}). The
 * upload URL is remembered in an {@link UploadState}, so that running again after any
 * interruption asks the server for its offset ({@code HEAD}) and sends only the rest. A
 * remembered upload the server no longer knows ({@code 404}, {@code 410}) or a local file whose
 * size or modification time changed starts a new upload. A bearer token, when given, is sent on
 * every request and is never stored or put in a message. Redirects are not followed (they would
 * carry the token elsewhere). Not thread-safe except {@link #cancel()}.
 */
public final class TusUpload {
  /** Told after each chunk the server confirmed. */
  @FunctionalInterface
  public interface Listener {
    /** The server holds {@code offset} of {@code length} bytes. */
    void progress(long offset, long length);
  }

  /** How an upload ended: where it is, how long it is, and from which offset this run started. */
  public record Result(URI uploadUrl, long length, long resumedFrom) {}

  /** The default chunk size: 8 MiB per {@code PATCH}. */
  public static final int DEFAULT_CHUNK = 8 << 20;

  private static final String TUS = "1.0.0";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Path file;
  private final URI endpoint;
  private final String token;
  private final int chunkSize;
  private final UploadState state;
  private final Listener listener;
  private final HttpClient http;
  private volatile boolean cancelled;

  private TusUpload(Builder b) {
    this.file = b.file;
    this.endpoint = b.endpoint;
    this.token = b.token;
    this.chunkSize = b.chunkSize;
    this.state = UploadState.of(b.stateDir, b.file, b.endpoint);
    this.listener = b.listener;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** A builder for uploading {@code file} to the tus creation URL {@code endpoint}. */
  public static Builder builder(Path file, URI endpoint) {
    return new Builder(file, endpoint);
  }

  /**
   * Stops the upload at the end of the chunk in flight: {@link #run()} then throws a
   * {@link DownloadException} of kind {@link FailureKind#CANCELLED}; the state is kept for a later
   * run to resume.
   */
  public void cancel() {
    cancelled = true;
  }

  /**
   * Runs the upload to its end (resuming a remembered one when it still matches) and forgets
   * the state when the server holds every byte.
   *
   * @throws DownloadException USAGE for a bad endpoint, NETWORK, HTTP_STATUS for an error status,
   *     PROTOCOL for a server breaking tus rules, LOCAL_IO for the file or state, CANCELLED
   */
  public Result run() throws DownloadException {
    long size;
    long mtime;
    try {
      if (!Files.isRegularFile(file)) {
        throw new DownloadException(FailureKind.LOCAL_IO, "not a regular file: " + file);
      }
      size = Files.size(file);
      mtime = Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      throw local("cannot read " + file, e);
    }
    URI url = null;
    long offset = 0;
    Optional<UploadState.Entry> saved = loadState();
    if (saved.isPresent() && saved.get().size() == size && saved.get().mtimeMillis() == mtime) {
      OptionalLong known = head(saved.get().uploadUrl(), size);
      if (known.isPresent()) {
        url = saved.get().uploadUrl();
        offset = known.getAsLong();
      }
    }
    if (url == null) {
      url = create(size);
      try {
        state.save(new UploadState.Entry(url, size, mtime));
      } catch (IOException e) {
        throw local("cannot write upload state " + state.path(), e);
      }
    }
    long resumedFrom = offset;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(chunkSize, Math.max(size, 1)));
      while (offset < size) {
        if (cancelled || Thread.currentThread().isInterrupted()) {
          throw new DownloadException(FailureKind.CANCELLED, "upload cancelled at " + offset);
        }
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), size - offset));
        readFully(ch, buf, offset);
        offset = patch(url, offset, size, buf.array(), buf.limit());
        listener.progress(offset, size);
      }
    } catch (IOException e) {
      if (e instanceof DownloadException d) {
        throw d;
      }
      throw local("cannot read " + file, e);
    }
    try {
      state.delete();
    } catch (IOException e) {
      throw local("upload finished but its state " + state.path() + " could not be removed", e);
    }
    return new Result(url, size, resumedFrom);
  }

  private Optional<UploadState.Entry> loadState() throws DownloadException {
    try {
      return state.load();
    } catch (IOException e) {
      throw local("cannot read upload state " + state.path(), e);
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new DownloadException(FailureKind.LOCAL_IO, "file shrank while uploading (at " + pos + ")");
      }
      pos += n;
    }
  }

  /** The server's offset for a remembered upload, or empty when it no longer knows it. */
  private OptionalLong head(URI url, long size) throws DownloadException {
    HttpResponse<Void> r = send(request(url).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    if (r.statusCode() == 404 || r.statusCode() == 410) {
      return OptionalLong.empty();
    }
    expect(r, 200, url);
    long length = header(r, "Upload-Length", url);
    if (length != size) {
      // Not the upload of this file: make a new one rather than append to a stranger.
      return OptionalLong.empty();
    }
    long offset = header(r, "Upload-Offset", url);
    if (offset < 0 || offset > size) {
      throw new DownloadException(FailureKind.PROTOCOL, "Upload-Offset " + offset + " out of range from " + url);
    }
    return OptionalLong.of(offset);
  }

  private URI create(long size) throws DownloadException {
    String name = Base64.getEncoder().encodeToString(
        file.getFileName().toString().getBytes(StandardCharsets.UTF_8));
    HttpResponse<Void> r = send(request(endpoint)
        .header("Upload-Length", Long.toString(size))
        .header("Upload-Metadata", "filename " + name)
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    expect(r, 201, endpoint);
    String location = r.headers().firstValue("Location").orElseThrow(() ->
        new DownloadException(FailureKind.PROTOCOL, "201 without Location from " + endpoint));
    try {
      return endpoint.resolve(location.trim());
    } catch (IllegalArgumentException e) {
      throw new DownloadException(FailureKind.PROTOCOL, "bad Location from " + endpoint, e);
    }
  }

  /** Appends {@code len} bytes at {@code offset}; returns the server's new offset. */
  private long patch(URI url, long offset, long size, byte[] body, int len) throws DownloadException {
    HttpResponse<Void> r = send(request(url)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", Long.toString(offset))
        .header("Upload-Checksum", "sha256 " + sha256(body, len))
        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body, 0, len)).build());
    if (r.statusCode() == 409) {
      // Our idea of the offset was wrong (another client, or a lost response): ask and go on.
      OptionalLong now = head(url, size);
      if (now.isEmpty()) {
        throw new DownloadException(FailureKind.HTTP_STATUS, "upload vanished from " + url);
      }
      return now.getAsLong();
    }
    expect(r, 204, url);
    long next = header(r, "Upload-Offset", url);
    if (next <= offset || next > offset + len) {
      throw new DownloadException(FailureKind.PROTOCOL,
          "Upload-Offset " + next + " after sending " + len + " bytes at " + offset + " to " + url);
    }
    return next;
  }

  private HttpRequest.Builder request(URI url) {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(TIMEOUT).header("Tus-Resumable", TUS);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private HttpResponse<Void> send(HttpRequest req) throws DownloadException {
    try {
      return http.send(req, HttpResponse.BodyHandlers.discarding());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DownloadException(FailureKind.CANCELLED, "upload interrupted", e);
    } catch (IOException e) {
      throw new DownloadException(FailureKind.NETWORK, req.method() + " " + req.uri() + ": " + e, e);
    }
  }

  private static void expect(HttpResponse<?> r, int status, URI url) throws DownloadException {
    if (r.statusCode() != status) {
      throw new DownloadException(FailureKind.HTTP_STATUS, "HTTP " + r.statusCode() + " from "
          + r.request().method() + " " + SafeText.withoutPassword(url));
    }
  }

  private static long header(HttpResponse<?> r, String name, URI url) throws DownloadException {
    String v = r.headers().firstValue(name).orElseThrow(() ->
        new DownloadException(FailureKind.PROTOCOL, "no " + name + " from " + url));
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new DownloadException(FailureKind.PROTOCOL, "bad " + name + " from " + url, e);
    }
  }

  private static String sha256(byte[] body, int len) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(body, 0, len);
      return Base64.getEncoder().encodeToString(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static DownloadException local(String message, IOException e) {
    return new DownloadException(FailureKind.LOCAL_IO, message + ": " + e.getMessage(), e);
  }

  /** Options of one upload. */
  public static final class Builder {
    private final Path file;
    private final URI endpoint;
    private String token;
    private int chunkSize = DEFAULT_CHUNK;
    private Path stateDir = UploadState.defaultDirectory();
    private Listener listener = (offset, length) -> {};

    private Builder(Path file, URI endpoint) {
      this.file = Objects.requireNonNull(file);
      this.endpoint = Objects.requireNonNull(endpoint);
    }

    /** Sends {@code Authorization: Bearer TOKEN} on every request (null: none). */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** Bytes per {@code PATCH} (1 byte to 1 GiB; default 8 MiB). */
    public Builder chunkSize(long bytes) {
      if (bytes < 1 || bytes > (1L << 30)) {
        throw new IllegalArgumentException("chunk size must be between 1 byte and 1 GiB");
      }
      this.chunkSize = (int) bytes;
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
      return new TusUpload(this);
    }
  }
}
