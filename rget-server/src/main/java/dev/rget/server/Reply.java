package dev.rget.server;

import dev.rget.core.range.ByteRange;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A response decided but not yet sent: status, headers, and the body as a list of pieces, each
 * either a small byte array (multipart framing, listings, error text) or a {@link ByteRange} of
 * {@link #file}. Whoever sends it owns {@link #file} and must release it.
 */
final class Reply {
  final HttpResponseStatus status;
  final HttpHeaders headers = new DefaultHttpHeaders();
  /** {@code byte[]} or {@link ByteRange} (of {@link #file}). */
  final List<Object> body = new ArrayList<>(2);
  /** The file the ranges refer to, or {@code null}. */
  OpenFile file;
  /** Whether the connection must close after this reply. */
  boolean close;
  /** Run once when the reply is sent or dropped (gives back a {@link MemoryBudget} reservation). */
  Runnable onRelease;

  Reply(HttpResponseStatus status) {
    this.status = status;
    headers.set(HttpHeaderNames.DATE, DateHeader.now());
  }

  /** A short text/plain reply such as {@code 404 Not Found}. */
  static Reply error(HttpResponseStatus status) {
    Reply r = new Reply(status);
    byte[] text = (status.code() + " " + status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
    r.headers.set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    r.body(text);
    return r;
  }

  /** Appends bytes to the body. */
  Reply body(byte[] bytes) {
    body.add(bytes);
    return this;
  }

  /** Appends a range of {@link #file} to the body. */
  Reply body(ByteRange range) {
    body.add(range);
    return this;
  }

  /** Sum of the body pieces. */
  long bodyLength() {
    long n = 0;
    for (Object o : body) {
      n += o instanceof byte[] b ? b.length : ((ByteRange) o).length();
    }
    return n;
  }

  /** Releases the file, if any (its regions hold it while they are being sent). */
  void releaseFile() {
    if (file != null) {
      file.release();
      file = null;
    }
  }

  /** Releases everything the reply holds: the file and any reservation; idempotent. */
  void release() {
    releaseFile();
    Runnable r = onRelease;
    onRelease = null;
    if (r != null) {
      r.run();
    }
  }
}
