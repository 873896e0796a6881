package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.http.EntityTag;
import dev.rget.core.http.Headers;
import dev.rget.core.http.HttpDate;
import dev.rget.core.http.Validators;
import dev.rget.core.range.ByteRange;
import dev.rget.core.range.ContentRange;
import dev.rget.core.range.RangeHeader;
import dev.rget.core.transport.TransportResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * First step of a download: a GET of the file's first piece ({@code Range: bytes=0-N}), which
 * tells length, range support, validators, name and final URL, and whose body is kept for the
 * fetch. No HEAD: it would cost a round trip per file and some servers answer it differently.
 */
final class Prober {
  private final RequestSender sender;

  Prober(RequestSender sender) {
    this.sender = sender;
  }

  /**
   * Probes {@code uri}.
   *
   * @param firstPiece how many bytes of the file to ask for (at least 1)
   */
  Probe probe(URI uri, long firstPiece) throws IOException {
    return probeIfModified(uri, firstPiece, null).orElseThrow();
  }

  /**
   * Probes {@code uri} with {@code If-Modified-Since: since} (none when {@code null}): empty
   * when the server answers 304 Not Modified.
   */
  Optional<Probe> probeIfModified(URI uri, long firstPiece, Instant since) throws IOException {
    ByteRange asked = new ByteRange(0, Math.max(1, firstPiece) - 1);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(Headers.RANGE, RangeHeader.format(asked));
    headers.put(Headers.ACCEPT_ENCODING, "identity");
    if (since != null) {
      headers.put("If-Modified-Since", HttpDate.format(since));
    }
    TransportResponse r = sender.send("GET", uri, headers);
    if (r.status() == 304) {
      r.close();
      return Optional.empty();
    }
    return Optional.of(fromProbeResponse(r, asked));
  }

  private Probe fromProbeResponse(TransportResponse r, ByteRange asked) throws IOException {
    boolean keep = false;
    try {
      Probe p = fromRangedProbe(r, asked);
      keep = p.body() != null;
      return p;
    } finally {
      if (!keep) {
        r.close();
      }
    }
  }

  /** A 200 with the whole file: its length is the Content-Length, unless the body is chunked. */
  private static RemoteFile fromFullResponse(TransportResponse r) throws RetryableException {
    long length = ResponseChecker.declaredLength(r);
    return new RemoteFile(r.uri(), validators(r, length), false,
        FileNames.suggest(r), ResponseChecker.contentCoding(r));
  }

  private Probe fromRangedProbe(TransportResponse r, ByteRange asked) throws IOException {
    int status = r.status();
    String coding = ResponseChecker.contentCoding(r);
    if (status == 206) {
      ContentRange cr = ResponseChecker.contentRange(r, asked);
      ResponseChecker.placement(r, cr, asked);
      long length = cr.completeLength();
      if (length < 0) {
        // A range of a file of unknown length: usable neither for planning nor for resuming.
        return new Probe(new RemoteFile(r.uri(), validators(r, -1), false,
            FileNames.suggest(r), coding), null, asked);
      }
      return new Probe(new RemoteFile(r.uri(), validators(r, length), true,
          FileNames.suggest(r), coding, serverDate(r)), r, asked);
    }
    if (status == 416) {
      // bytes=0-N is unsatisfiable only for an empty file.
      long length = ContentRange.parse(r.header(Headers.CONTENT_RANGE).orElse(null))
          .filter(ContentRange::isUnsatisfied).map(ContentRange::completeLength).orElse(0L);
      return new Probe(new RemoteFile(r.uri(), validators(r, length), true,
          FileNames.suggest(r), coding), null, asked);
    }
    if (status == 200) {
      Optional<ContentRange> cr = ContentRange.parse(r.header(Headers.CONTENT_RANGE).orElse(null))
          .filter(c -> !c.isUnsatisfied() && c.hasCompleteLength());
      if (cr.isPresent()) {
        // A 200 that carries a Content-Range holds only that range, whatever its status says:
        // its Content-Length is not the file's, and its body is not the file.
        long length = cr.get().completeLength();
        return new Probe(new RemoteFile(r.uri(), validators(r, length), false,
            FileNames.suggest(r), coding), null, asked);
      }
      // The whole file from byte 0: the server ignores ranges, and this body is the stream.
      return new Probe(fromFullResponse(r), r, asked);
    }
    throw new DownloadException(FailureKind.PROTOCOL,
        "unexpected HTTP " + HttpStatus.describe(status) + " from " + r.uri());
  }

  /** The response's {@code Date}, or {@code null} when absent or not an HTTP-date. */
  private static Instant serverDate(TransportResponse r) {
    return r.header(Headers.DATE).flatMap(HttpDate::parse).orElse(null);
  }

  static Validators validators(TransportResponse r, long length) {
    EntityTag etag = r.header(Headers.ETAG).flatMap(EntityTag::parse).orElse(null);
    String lastModified = r.header(Headers.LAST_MODIFIED).map(String::trim).orElse(null);
    return new Validators(length, etag, lastModified);
  }
}
