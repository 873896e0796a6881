package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.http.EntityTag;
import dev.rget.core.http.Headers;
import dev.rget.core.http.Validators;
import dev.rget.core.range.ContentRange;
import dev.rget.core.transport.TransportResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * First step of a download: asks the server about the file with HEAD (or, for servers that refuse
 * HEAD, a GET of {@code bytes=0-0}) and reads length, range support, validators, name, final URL.
 */
final class Prober {
  private final RequestSender sender;

  Prober(RequestSender sender) {
    this.sender = sender;
  }

  RemoteFile probe(URI uri) throws IOException {
    try (TransportResponse head = sender.send("HEAD", uri, Map.of(Headers.ACCEPT_ENCODING, "identity"))) {
      if (head.status() >= 200 && head.status() < 300) {
        return fromFullResponse(head, head.status() == 200);
      }
    } catch (DownloadException e) {
      if (e.kind() != FailureKind.HTTP_STATUS) {
        throw e;
      }
      // Some servers refuse HEAD (405, or 403 for URLs signed for GET only): a one-byte GET
      // tells the same and more.
    } catch (RetryableException e) {
      if (e.throttled()) {
        // 429 or 503: the server is overloaded, not confused by HEAD; asking again at once with
        // a GET would only add to the load. The caller backs off.
        throw e;
      }
      // Other transient failures (a 500 on HEAD only, say): the GET may fare better.
    }
    try (TransportResponse get = sender.send("GET", uri,
        Map.of(Headers.RANGE, "bytes=0-0", Headers.ACCEPT_ENCODING, "identity"))) {
      return fromRangedProbe(get);
    }
  }

  private RemoteFile fromFullResponse(TransportResponse r, boolean knowsLength) {
    long length = -1;
    boolean chunked = r.header(Headers.TRANSFER_ENCODING).map(v -> Headers.listContains(v, "chunked"))
        .orElse(false);
    if (knowsLength && !chunked) {
      length = Headers.parseLength(r.header(Headers.CONTENT_LENGTH).orElse(null));
    }
    Optional<String> ar = r.header(Headers.ACCEPT_RANGES);
    // "Accept-Ranges: bytes" is only a claim: the first ranged request confirms it.
    RemoteFile.RangeSupport ranges = ar.isPresent() && !Headers.listContains(ar.get(), "bytes")
        ? RemoteFile.RangeSupport.NO : RemoteFile.RangeSupport.UNKNOWN;
    if (length < 0) {
      ranges = RemoteFile.RangeSupport.NO;
    }
    return new RemoteFile(r.uri(), validators(r, length), ranges, FileNames.suggest(r),
        ResponseChecker.contentCoding(r));
  }

  private RemoteFile fromRangedProbe(TransportResponse r) throws IOException {
    int status = r.status();
    if (status == 206) {
      ContentRange cr = ContentRange.parse(r.header(Headers.CONTENT_RANGE).orElse(null))
          .filter(c -> !c.isUnsatisfied() && c.range().first() == 0)
          .orElseThrow(() -> new DownloadException(FailureKind.PROTOCOL,
              "206 with a bad Content-Range '" + r.header(Headers.CONTENT_RANGE).orElse("")
                  + "' from " + r.uri()));
      long length = cr.completeLength();
      RemoteFile.RangeSupport ranges =
          length < 0 ? RemoteFile.RangeSupport.NO : RemoteFile.RangeSupport.YES;
      return new RemoteFile(r.uri(), validators(r, length), ranges, FileNames.suggest(r),
          ResponseChecker.contentCoding(r));
    }
    if (status == 416) {
      // bytes=0-0 is unsatisfiable only for an empty file.
      long length = ContentRange.parse(r.header(Headers.CONTENT_RANGE).orElse(null))
          .filter(ContentRange::isUnsatisfied).map(ContentRange::completeLength).orElse(0L);
      return new RemoteFile(r.uri(), validators(r, length), RemoteFile.RangeSupport.YES,
          FileNames.suggest(r), ResponseChecker.contentCoding(r));
    }
    if (status == 200) {
      Optional<ContentRange> cr = ContentRange.parse(r.header(Headers.CONTENT_RANGE).orElse(null))
          .filter(c -> !c.isUnsatisfied() && c.hasCompleteLength());
      if (cr.isPresent()) {
        // A 200 that carries a Content-Range holds only that range, whatever its status says:
        // its Content-Length is not the file's. The complete length is.
        long length = cr.get().completeLength();
        return new RemoteFile(r.uri(), validators(r, length), RemoteFile.RangeSupport.NO,
            FileNames.suggest(r), ResponseChecker.contentCoding(r));
      }
      return fromFullResponse(r, true).withRanges(RemoteFile.RangeSupport.NO);
    }
    throw new DownloadException(FailureKind.PROTOCOL,
        "unexpected HTTP " + HttpStatus.describe(status) + " from " + r.uri());
  }

  static Validators validators(TransportResponse r, long length) {
    EntityTag etag = r.header(Headers.ETAG).flatMap(EntityTag::parse).orElse(null);
    String lastModified = r.header(Headers.LAST_MODIFIED).map(String::trim).orElse(null);
    return new Validators(length, etag, lastModified);
  }
}
