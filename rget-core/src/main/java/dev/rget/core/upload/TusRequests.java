package dev.rget.core.upload;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.SafeText;
import dev.rget.core.auth.Authenticator;
import dev.rget.core.transport.ProxyException;
import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;

/**
 * The requests of one tus client (a {@link TusUpload}, or the control requests of a
 * {@link ParallelUpload}), sent by {@link PlainHttp} over http or https, directly or through a
 * proxy, with the headers and login of its {@link Reach}. A {@code 401} to a body-less request
 * is answered with the login and sent again; a body is never sent twice just to meet a
 * {@code 401}: before the first body to an origin that may want the login, a body-less
 * {@code HEAD} learns its challenge. {@link #cancel} abandons the request in flight at once and
 * ends a {@link #pause}. A network failure worth another attempt is an {@link IOException} for the
 * caller to classify; a failure that another attempt cannot mend (an untrusted certificate, an
 * unknown host, a proxy refusing, a refused login) and a cancel are {@link DownloadException}s.
 */
final class TusRequests {
  static final String TUS = "1.0.0";
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** Challenges answered for one request before its 401 is final (a stale nonce, then a new one). */
  private static final int MAX_CHALLENGES = 2;

  /** A status and the response headers (lower-case names). */
  record Reply(int status, Map<String, List<String>> headers) {
    List<String> all(String name) {
      return headers.getOrDefault(name, List.of());
    }
  }

  private final Reach reach;
  private final boolean keepConnection;
  private final CountDownLatch stop = new CountDownLatch(1);
  /** The sender of the request in flight (or kept for the next one). */
  private volatile PlainHttp plain;
  private String plainKey;

  /**
   * @param reach how to reach the server and who to say this is
   * @param keepConnection keep the connection for the next request to the same origin; else each
   *     request has a connection of its own, never reused (a kept one is tried again after a
   *     silent close, and some requests must not go twice unasked)
   */
  TusRequests(Reach reach, boolean keepConnection) {
    this.reach = reach;
    this.keepConnection = keepConnection;
  }

  /** Abandons the request in flight and ends any pause; later requests fail as cancelled. */
  void cancel() {
    stop.countDown();
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

  /** {@code Tus-Resumable}; the User-Agent, the user's headers and the login are added by {@link #send}. */
  Map<String, String> headers() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Tus-Resumable", TUS);
    return h;
  }

  /**
   * One request.
   *
   * @param body the file to send {@code len} bytes of from {@code position}, or null for none
   * @param afterBody work to overlap with the server's answer, or null
   * @throws IOException on a network failure worth another attempt
   * @throws DownloadException CANCELLED; NETWORK for a failed TLS handshake, an unknown host or a
   *     refusing proxy; HTTP_STATUS for a proxy's 407 or a final 401
   */
  Reply send(String method, URI url, Map<String, String> headers, FileChannel body, long position,
      long len, Runnable afterBody) throws IOException, DownloadException {
    if (body != null && reach.probeFirst(url)) {
      // Learn the origin's challenge without a body: HEAD is harmless on a tus upload URL.
      send("HEAD", url, headers(), null, 0, 0, null);
    }
    for (int challenges = 0; ; challenges++) {
      Map<String, String> sent = reach.headers(method, url, headers);
      Reply r = sendOnce(method, url, sent, body, position, len, afterBody);
      if (r.status() != 401) {
        return r;
      }
      if (challenges < MAX_CHALLENGES && reach.answer(url, r.all("www-authenticate"), sent)) {
        if (body == null) {
          continue; // the same request again, answering the challenge
        }
        // The body went once in vain (a nonce that went stale): the caller's next attempt asks
        // HEAD first, with the new answer, then sends it again.
        throw new IOException("HTTP 401 to " + method + " " + SafeText.withoutPassword(url)
            + " with a new challenge");
      }
      throw new DownloadException(FailureKind.HTTP_STATUS, reach.refusal(method, url, sent));
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
    return p != null && Authenticator.origin(url).equals(plainKey) && p.warm();
  }

  /** Answers still owed on the kept plain-http connection (pipelined requests). */
  int unanswered() {
    PlainHttp p = plain;
    return p == null ? 0 : p.unanswered();
  }

  /**
   * Writes a request on the kept plain-http connection without reading its answer
   * ({@link PlainHttp#write}), with the headers and login {@link #send} would add; only after
   * {@link #warm} said so, or behind such a request.
   *
   * @throws IOException on a network failure ({@link PlainHttp.ClosedUnansweredException} for a
   *     connection the server closed quietly)
   * @throws DownloadException CANCELLED, or a failure asking again will not mend (as for send)
   */
  void write(String method, URI url, Map<String, String> headers, FileChannel body, long position,
      long len) throws IOException, DownloadException {
    checkCancelled();
    PlainHttp p = keptFor(url);
    Map<String, String> sent = reach.headers(method, url, headers);
    classified(url, () -> {
      if (stop.getCount() == 0) {
        p.abort();
      }
      p.write(method, url, sent, body, position, len);
      return null;
    });
  }

  /** Reads the oldest owed answer on the kept plain-http connection ({@link PlainHttp#read}). */
  Reply read(URI url, String method) throws IOException, DownloadException {
    checkCancelled();
    PlainHttp p = keptFor(url);
    return classified(url, () -> {
      if (stop.getCount() == 0) {
        p.abort();
      }
      PlainHttp.Answer a = p.read(method.equals("HEAD"));
      return new Reply(a.status(), a.headers());
    });
  }

  private Reply sendOnce(String method, URI url, Map<String, String> headers, FileChannel body,
      long position, long len, Runnable afterBody) throws IOException, DownloadException {
    checkCancelled();
    PlainHttp p = keepConnection ? keptFor(url) : new PlainHttp(url, reach::open, TIMEOUT);
    plain = p;
    try {
      return classified(url, () -> {
        if (stop.getCount() == 0) {
          p.abort();
        }
        PlainHttp.Answer a = p.send(method, url, headers, body, position, len, afterBody);
        return new Reply(a.status(), a.headers());
      });
    } finally {
      if (!keepConnection) {
        plain = null;
        p.close();
      }
    }
  }

  /** One exchange with the server. */
  @FunctionalInterface
  private interface Exchange<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code exchange}, turning what asking again will not mend into a DownloadException: an
   * untrusted or misnamed certificate (or no common protocol), an unknown host, a proxy that
   * refuses; a cancel is CANCELLED; other network failures stay IOExceptions, for the caller to
   * retry.
   */
  private <T> T classified(URI url, Exchange<T> exchange) throws IOException, DownloadException {
    try {
      return exchange.run();
    } catch (SSLHandshakeException e) {
      checkCancelled();
      throw new DownloadException(FailureKind.NETWORK, "TLS handshake with " + hostPort(url)
          + " failed: " + e.getMessage(), e);
    } catch (UnknownHostException e) {
      checkCancelled();
      throw new DownloadException(FailureKind.NETWORK, "unknown host " + e.getMessage(), e);
    } catch (ProxyException e) {
      checkCancelled();
      if (e.reason() == ProxyException.Reason.TRANSIENT) {
        throw e;
      }
      throw new DownloadException(e.reason() == ProxyException.Reason.AUTHENTICATION
          ? FailureKind.HTTP_STATUS : FailureKind.NETWORK, e.getMessage(), e);
    } catch (IOException e) {
      checkCancelled();
      throw e;
    }
  }

  /** Closes the kept connection, if any. */
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

  /** The kept sender for {@code url}'s origin (a new one when it changes). */
  private PlainHttp keptFor(URI url) {
    String key = Authenticator.origin(url);
    if (plain == null || !key.equals(plainKey)) {
      close();
      plainKey = key;
      plain = new PlainHttp(url, reach::open, TIMEOUT);
    }
    return plain;
  }

  private static String hostPort(URI url) {
    return url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "");
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
