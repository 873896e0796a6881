package dev.rget.core.engine;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.http.Headers;
import dev.rget.core.transport.TransportResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Downloads the whole file as one stream from byte 0: for servers without range support and for
 * bodies of unknown length. Each attempt starts over at byte 0 (such a server cannot resume
 * mid-file), writing in place over the same version's bytes.
 */
final class StreamFetch {
  private final FetchContext ctx;

  StreamFetch(FetchContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Runs the stream to its end and returns the number of bytes in the file.
   *
   * @param first an open 200 response to start from, or {@code null} to send a new request
   */
  long run(TransportResponse first) throws IOException {
    long known = ctx.validators.length();
    TransportResponse r = first;
    RetryPolicy retry = new RetryPolicy(ctx.options.retries(), ctx.stop);
    long best = 0;
    while (true) {
      long pos = 0;
      try {
        if (r == null) {
          r = ctx.stop.network(
              () -> ctx.sender.send("GET", ctx.uri, Map.of(Headers.ACCEPT_ENCODING, "identity")));
        }
        ctx.opened(r);
        if (r.status() != 200) {
          throw RetryableException.protocol("unexpected HTTP " + HttpStatus.describe(r.status())
              + " to a plain GET from " + r.uri());
        }
        ResponseChecker.checkLength(ResponseChecker.declaredLength(r), known, "");
        ResponseChecker.checkVersion(r, ctx.validators);
        ResponseChecker.checkCoding(r, ctx.contentCoding);
        if (r.header(Headers.CONTENT_RANGE).isPresent()) {
          throw RetryableException.protocol("server answered a plain GET with a part of the file"
              + " (Content-Range " + r.header(Headers.CONTENT_RANGE).get() + ") from " + r.uri());
        }
        ByteBuffer chunk;
        while (true) {
          try {
            chunk = r.next(ctx.options.stallTimeout());
          } catch (InterruptedIOException e) {
            throw e;
          } catch (IOException e) {
            if (ctx.stop.stopped()) {
              throw ctx.stop.asException();
            }
            throw RetryableException.network("connection lost after " + pos + " bytes: "
                + RequestSender.describe(e), e);
          }
          if (chunk == null) {
            break;
          }
          int n = chunk.remaining();
          if (known >= 0 && pos + n > known) {
            // A body longer than the file is not the file: what this attempt wrote over
            // [0, pos) cannot be trusted, whatever the ledger knew of those bytes before.
            ctx.ledger.discard(0, pos);
            throw RetryableException.protocol("server sent more than the announced " + known
                + " bytes");
          }
          long max = ctx.options.maxFileSize();
          if (max > 0 && pos + n > max) {
            // A known length above the cap was refused after the probe: this body is endless.
            throw new DownloadException(FailureKind.TOO_LARGE, "the server sent more than the"
                + " maximum of " + max + " bytes (--max-filesize) for a file of unannounced"
                + " length");
          }
          if (ctx.stop.stopped()) {
            throw ctx.stop.asException();
          }
          int chunkEnd = chunk.limit();
          while (chunk.position() < chunkEnd) {
            int piece = (int) Math.min(chunkEnd - chunk.position(),
                ctx.rateLimiter.sliceBytes());
            ctx.rateLimiter.acquire(piece, ctx.stop);
            chunk.limit(chunk.position() + piece);
            ctx.write(chunk, pos);
            chunk.limit(chunkEnd);
            ctx.ledger.add(pos, pos + piece);
            ctx.fetched.addAndGet(piece);
            pos += piece;
          }
        }
        if (known >= 0 && pos != known) {
          throw RetryableException.network("server closed the connection after " + pos + " of "
              + known + " bytes", null);
        }
        return pos;
      } catch (RetryableException e) {
        boolean progressed = pos > best;
        best = Math.max(best, pos);
        retry.failed(e, progressed);
      } finally {
        if (r != null) {
          ctx.closed(r);
          r = null;
        }
      }
    }
  }
}
