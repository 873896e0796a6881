package dev.rget.core.upload;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The requests of one tus client (a {@link TusUpload}, or the control requests of a
 * {@link ParallelUpload}): on plain http through {@link PlainHttp}, on https through the JDK's
 * client, made on first use (it costs start-up time that plain http never needs). {@link #cancel}
 * abandons the request in flight at once and ends a {@link #pause}. A network failure is an
 * {@link IOException} for the caller to classify; a cancel is a CANCELLED
 * {@link DownloadException}.
 */
final class TusRequests {
  static final String TUS = "1.0.0";
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** A status and the response headers (lower-case names). */
  record Reply(int status, Map<String, List<String>> headers) {
    List<String> all(String name) {
      return headers.getOrDefault(name, List.of());
    }
  }

  private final String token;
  private final boolean keepConnection;
  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile CompletableFuture<?> inFlight;
  /** The plain-http sender of the request in flight (or kept for the next one). */
  private volatile PlainHttp plain;
  private String plainKey;
  private HttpClient http;

  /**
   * @param token sent as {@code Authorization: Bearer} (null: none)
   * @param keepConnection on plain http, keep the connection for the next request to the same
   *     host and port; else each request has a connection of its own, never reused (a kept one is
   *     tried again after a silent close, and some requests must not go twice unasked)
   */
  TusRequests(String token, boolean keepConnection) {
    this.token = token;
    this.keepConnection = keepConnection;
  }

  /** Abandons the request in flight and ends any pause; later requests fail as cancelled. */
  void cancel() {
    stop.countDown();
    CompletableFuture<?> f = inFlight;
    if (f != null) {
      f.cancel(true);
    }
    PlainHttp p = plain;
    if (p != null) {
      p.abort();
    }
  }

  /** Whether {@link #cancel} was called. */
  boolean stopped() {
    return stop.getCount() == 0;
  }

  /** Whether {@link #cancel} was called or the calling thread is interrupted. */
  boolean cancelled() {
    return stopped() || Thread.currentThread().isInterrupted();
  }

  /** Waits {@code pause}; true if {@link #cancel} ended the wait. */
  boolean pause(Duration pause) throws InterruptedException {
    return stop.await(pause.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** {@code Tus-Resumable} and, with a token, {@code Authorization}. */
  Map<String, String> headers() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Tus-Resumable", TUS);
    if (token != null) {
      h.put("Authorization", "Bearer " + token);
    }
    return h;
  }

  /**
   * One request.
   *
   * @param body the file to send {@code len} bytes of from {@code position}, or null for none
   * @param afterBody work to overlap with the server's answer (plain http only), or null
   * @param httpsBody the same bytes as a stream, for the JDK client (used when {@code body} is set)
   * @throws IOException on a network failure
   * @throws DownloadException CANCELLED
   */
  Reply send(String method, URI url, Map<String, String> headers, FileChannel body, long position,
      long len, Runnable afterBody, Supplier<InputStream> httpsBody)
      throws IOException, DownloadException {
    checkCancelled();
    if ("http".equalsIgnoreCase(url.getScheme())) {
      PlainHttp p = keepConnection ? keptFor(url) : new PlainHttp(url, CONNECT_TIMEOUT, TIMEOUT);
      plain = p;
      try {
        if (stop.getCount() == 0) {
          p.abort();
        }
        PlainHttp.Answer a = p.send(method, url, headers, body, position, len, afterBody);
        return new Reply(a.status(), a.headers());
      } catch (IOException e) {
        checkCancelled();
        throw e;
      } finally {
        if (!keepConnection) {
          plain = null;
          p.close();
        }
      }
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(TIMEOUT);
    headers.forEach(b::header);
    HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(httpsBody), len);
    CompletableFuture<HttpResponse<Void>> f = http().sendAsync(b.method(method, publisher).build(),
        HttpResponse.BodyHandlers.discarding());
    inFlight = f;
    try {
      if (stop.getCount() == 0) {
        f.cancel(true);
      }
      HttpResponse<Void> r = f.get();
      Map<String, List<String>> h = new HashMap<>();
      r.headers().map().forEach((k, v) -> h.computeIfAbsent(k.toLowerCase(Locale.ROOT), x -> new ArrayList<>()).addAll(v));
      return new Reply(r.statusCode(), h);
    } catch (CancellationException e) {
      throw new DownloadException(FailureKind.CANCELLED, "upload cancelled", e);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new DownloadException(FailureKind.CANCELLED, "upload interrupted", e);
    } catch (ExecutionException e) {
      checkCancelled();
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } finally {
      inFlight = null;
    }
  }

  /**
   * Whether requests to {@code url} may be pipelined now: plain http on the kept connection, which
   * has answered before and owes no answer ({@link PlainHttp#warm()}).
   */
  boolean warm(URI url) {
    if (!keepConnection || !"http".equalsIgnoreCase(url.getScheme())) {
      return false;
    }
    PlainHttp p = plain;
    return p != null && (url.getHost() + ":" + url.getPort()).equals(plainKey) && p.warm();
  }

  /** Answers still owed on the kept plain-http connection (pipelined requests). */
  int unanswered() {
    PlainHttp p = plain;
    return p == null ? 0 : p.unanswered();
  }

  /**
   * Writes a request on the kept plain-http connection without reading its answer
   * ({@link PlainHttp#write}); only after {@link #warm} said so, or behind such a request.
   *
   * @throws IOException on a network failure ({@link PlainHttp.ClosedUnansweredException} for a
   *     connection the server closed quietly)
   * @throws DownloadException CANCELLED
   */
  void write(String method, URI url, Map<String, String> headers, FileChannel body, long position, long len)
      throws IOException, DownloadException {
    checkCancelled();
    PlainHttp p = keptFor(url);
    try {
      if (stop.getCount() == 0) {
        p.abort();
      }
      p.write(method, url, headers, body, position, len);
    } catch (IOException e) {
      checkCancelled();
      throw e;
    }
  }

  /** Reads the oldest owed answer on the kept plain-http connection ({@link PlainHttp#read}). */
  Reply read(URI url, String method) throws IOException, DownloadException {
    checkCancelled();
    PlainHttp p = keptFor(url);
    try {
      if (stop.getCount() == 0) {
        p.abort();
      }
      PlainHttp.Answer a = p.read(method.equals("HEAD"));
      return new Reply(a.status(), a.headers());
    } catch (IOException e) {
      checkCancelled();
      throw e;
    }
  }

  /** Closes the kept plain-http connection, if any. */
  void close() {
    PlainHttp p = plain;
    plain = null;
    if (p != null) {
      p.close();
    }
  }

  private void checkCancelled() throws DownloadException {
    if (cancelled()) {
      throw new DownloadException(FailureKind.CANCELLED, "upload cancelled");
    }
  }

  /** The kept plain-http sender for {@code url}'s host and port (a new one when they change). */
  private PlainHttp keptFor(URI url) {
    String key = url.getHost() + ":" + url.getPort();
    if (plain == null || !key.equals(plainKey)) {
      close();
      plainKey = key;
      plain = new PlainHttp(url, CONNECT_TIMEOUT, TIMEOUT);
    }
    return plain;
  }

  private HttpClient http() {
    if (http == null) {
      http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }
    return http;
  }

  /** The file's size and modification time, read together: the identity an upload is kept under. */
  record FileIdentity(long size, long mtimeMillis) {
    static FileIdentity of(java.nio.file.Path file) throws DownloadException {
      try {
        if (!java.nio.file.Files.isRegularFile(file)) {
          throw new DownloadException(FailureKind.LOCAL_IO, "not a regular file: " + file);
        }
        return new FileIdentity(java.nio.file.Files.size(file),
            java.nio.file.Files.getLastModifiedTime(file).toMillis());
      } catch (IOException e) {
        throw local("cannot read " + file, e);
      }
    }
  }

  /** The upload URL a {@code 201} from {@code endpoint} names in its one Location (http or https). */
  static URI location(Reply r, URI endpoint) throws DownloadException {
    List<String> location = r.all("location");
    if (location.size() != 1) {
      throw new DownloadException(FailureKind.PROTOCOL, "201 without one Location from " + endpoint);
    }
    URI url;
    try {
      url = endpoint.resolve(location.get(0).trim());
    } catch (IllegalArgumentException e) {
      throw new DownloadException(FailureKind.PROTOCOL, "bad Location from " + endpoint, e);
    }
    String scheme = url.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || url.getHost() == null) {
      throw new DownloadException(FailureKind.PROTOCOL, "Location is not an http(s) URL from " + endpoint);
    }
    return url;
  }

  /** A local failure (the file, the state), as LOCAL_IO. */
  static DownloadException local(String message, IOException e) {
    return new DownloadException(FailureKind.LOCAL_IO, message + ": " + e.getMessage(), e);
  }
}
