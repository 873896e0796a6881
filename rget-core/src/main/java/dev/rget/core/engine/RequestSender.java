package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.http.Headers;
import dev.rget.core.http.HttpDate;
import dev.rget.core.http.HttpUrl;
import dev.rget.core.transport.ConnectTimeoutException;
import dev.rget.core.transport.PrivateAddress;
import dev.rget.core.transport.ProxyException;
import dev.rget.core.transport.StallException;
import dev.rget.core.transport.Transport;
import dev.rget.core.transport.TransportRequest;
import dev.rget.core.transport.TransportResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Sends a request through the transport, follows redirects itself (at most {@link #MAX_REDIRECTS}),
 * and turns failures into the engine's classes: permanent ({@link DownloadException}) or worth
 * another attempt ({@link RetryableException}). Statuses other than redirects are returned to
 * the caller unless they are errors.
 */
final class RequestSender {
  static final int MAX_REDIRECTS = 10;
  private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

  /** Answers to challenges per hop: a stale Digest nonce, then the login itself. */
  private static final int MAX_CHALLENGES = 3;

  private final Transport transport;
  private final RedirectPolicy redirects;
  private final RequestIdentity identity;
  /** The connection slot moved to each hop's host before connecting; {@code null}: no cap. */
  private final HostSlot slot;

  RequestSender(Transport transport, RedirectPolicy redirects, RequestIdentity identity) {
    this(transport, redirects, identity, null);
  }

  private RequestSender(Transport transport, RedirectPolicy redirects, RequestIdentity identity,
      HostSlot slot) {
    this.transport = transport;
    this.redirects = redirects;
    this.identity = identity;
    this.slot = slot;
  }

  /**
   * This sender for one connection that holds {@code slot} (none when {@code null}): every hop,
   * redirects included, is counted against the host it goes to.
   */
  RequestSender in(HostSlot slot) {
    return slot == null ? this : new RequestSender(transport, redirects, identity, slot);
  }

  /**
   * Sends {@code method uri} with {@code headers}, following redirects. Returns a response whose
   * status is 2xx, 416, or (when {@code allowError}) any other non-redirect.
   */
  TransportResponse send(String method, URI uri, Map<String, String> headers) throws IOException {
    URI current = uri;
    int challenges = 0;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      checkUrl(current);
      TransportResponse r;
      Map<String, String> sent = identity.headers(method, current, headers);
      takeSlot(current);
      try {
        r = transport.send(new TransportRequest(method, current, sent,
            redirects.publicOnly(current)));
      } catch (PrivateAddress.RefusedException e) {
        throw new DownloadException(FailureKind.HTTP_STATUS, "refusing the redirect to "
            + current + ": " + e.getMessage(), e);
      } catch (ProxyException e) {
        // The proxy's failure, named as such: the origin was never reached.
        if (e.reason() == ProxyException.Reason.TRANSIENT) {
          throw RetryableException.network(e.getMessage(), e);
        }
        throw new DownloadException(e.reason() == ProxyException.Reason.AUTHENTICATION
            ? FailureKind.HTTP_STATUS : FailureKind.NETWORK, e.getMessage(), e);
      } catch (StallException e) {
        throw RetryableException.network("no response from " + current.getHost() + ": "
            + e.getMessage(), e);
      } catch (UnknownHostException e) {
        throw new DownloadException(FailureKind.NETWORK, "unknown host " + current.getHost(), e);
      } catch (javax.net.ssl.SSLHandshakeException e) {
        // An untrusted certificate or no common protocol: asking again will not change it.
        throw new DownloadException(FailureKind.NETWORK, "TLS handshake with "
            + hostPort(current) + " failed: " + describe(e), e);
      } catch (ConnectTimeoutException e) {
        throw RetryableException.network("connection to " + hostPort(current) + " timed out", e);
      } catch (ConnectException e) {
        throw RetryableException.network("connection to " + hostPort(current) + " refused", e);
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        throw RetryableException.network(describe(e) + " (" + hostPort(current) + ")", e);
      } catch (IllegalArgumentException e) {
        throw new DownloadException(FailureKind.USAGE, "cannot request " + current + ": "
            + e.getMessage(), e);
      }
      identity.received(r);
      int status = r.status();
      if (status == 401 && challenges < MAX_CHALLENGES && identity.answerChallenge(r, sent)) {
        r.close();
        challenges++;
        hop--; // the same hop again, with the login
        continue;
      }
      if (status == 401) {
        r.close();
        String user = identity.user(current);
        throw new DownloadException(FailureKind.HTTP_STATUS, "HTTP 401 Unauthorized from "
            + current + (user == null ? ": the server wants a login (give --user, --netrc or"
                + " user:password@ in the URL)"
                : ": the server refused the login of user " + user));
      }
      if (HttpStatus.isRedirect(status)) {
        Optional<String> location = r.header(Headers.LOCATION);
        r.close();
        if (location.isEmpty()) {
          throw new DownloadException(FailureKind.PROTOCOL,
              "HTTP " + status + " redirect without Location from " + current);
        }
        URI next;
        try {
          next = current.resolve(location.get().trim());
        } catch (IllegalArgumentException e) {
          throw new DownloadException(FailureKind.PROTOCOL,
              "bad redirect Location '" + location.get() + "' from " + current, e);
        }
        checkUrl(next);
        redirects.check(current, next);
        current = next;
        challenges = 0;
        continue;
      }
      if (status >= 400 && status != 416) {
        String msg = "HTTP " + HttpStatus.describe(status) + " from " + current;
        Duration retryAfter = retryAfter(r);
        r.close();
        if (HttpStatus.isTransient(status)) {
          throw new RetryableException(FailureKind.HTTP_STATUS, msg, retryAfter,
              status == 429 || status == 503, null);
        }
        throw new DownloadException(FailureKind.HTTP_STATUS, msg);
      }
      return r;
    }
    throw new DownloadException(FailureKind.HTTP_STATUS,
        "too many redirects (more than " + MAX_REDIRECTS + ") starting at " + uri);
  }

  private void takeSlot(URI hop) throws InterruptedIOException {
    if (slot == null) {
      return;
    }
    try {
      slot.moveTo(hop.getHost());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for a connection slot to "
          + hop.getHost());
    }
  }

  /** Refuses a URL rget cannot fetch from (see {@link HttpUrl}), as a usage error. */
  static void checkUrl(URI uri) throws DownloadException {
    String problem = HttpUrl.problem(uri);
    if (problem != null) {
      throw new DownloadException(FailureKind.USAGE, "cannot fetch " + uri + ": " + problem);
    }
  }

  /** Retry-After as seconds or an HTTP date; {@code null} when absent or unparseable. */
  static Duration retryAfter(TransportResponse r) {
    Optional<String> v = r.header(Headers.RETRY_AFTER);
    if (v.isEmpty()) {
      return null;
    }
    String s = v.get().trim();
    Duration d;
    if (s.matches("\\d{1,9}")) {
      d = Duration.ofSeconds(Long.parseLong(s));
    } else {
      Optional<Instant> t = HttpDate.parse(s);
      if (t.isEmpty()) {
        return null;
      }
      d = Duration.between(Instant.now(), t.get());
      if (d.isNegative()) {
        d = Duration.ZERO;
      }
    }
    return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
  }

  static String hostPort(URI uri) {
    return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
  }

  static String describe(IOException e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return m;
  }
}
