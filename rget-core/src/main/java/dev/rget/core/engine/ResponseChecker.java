package dev.rget.core.engine;

import dev.rget.core.http.Headers;
import dev.rget.core.http.Validators;
import dev.rget.core.range.ByteRange;
import dev.rget.core.range.ContentRange;
import dev.rget.core.transport.TransportResponse;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides whether a 206 answer to {@code Range: bytes=a-b} may be written at offset {@code a}:
 * its Content-Range must start at {@code a}, end within the request, and state the known total;
 * its validators must name the version being downloaded. Nothing else is ever written.
 */
final class ResponseChecker {
  private ResponseChecker() {}

  /**
   * Returns the range the body will carry.
   *
   * @throws RetryableException (protocol class) when the server lies about the range
   * @throws RemoteChangedException when the response belongs to another version of the file
   */
  static ByteRange checkPartial(TransportResponse r, ByteRange requested, Validators expected)
      throws RetryableException, RemoteChangedException {
    checkVersion(r, expected);
    String crText = r.header(Headers.CONTENT_RANGE).orElse(null);
    Optional<ContentRange> parsed = ContentRange.parse(crText);
    if (parsed.isEmpty() || parsed.get().isUnsatisfied()) {
      throw RetryableException.protocol(
          "206 with a missing or malformed Content-Range '" + nullToEmpty(crText) + "' for "
              + requested + " from " + r.uri());
    }
    ContentRange cr = parsed.get();
    if (cr.completeLength() != expected.length()) {
      if (cr.hasCompleteLength()) {
        throw new RemoteChangedException("the server now reports a length of "
            + cr.completeLength() + " bytes instead of " + expected.length());
      }
      throw RetryableException.protocol("206 with an unknown total length (" + crText + ") from "
          + r.uri());
    }
    ByteRange got = cr.range();
    if (got.first() != requested.first() || got.last() > requested.last()) {
      throw RetryableException.protocol("server sent bytes " + got + " when asked for " + requested
          + " (" + r.uri() + ")");
    }
    if (r.header(Headers.CONTENT_TYPE).map(t -> t.toLowerCase(Locale.ROOT)
        .startsWith("multipart/byteranges")).orElse(false)) {
      throw RetryableException.protocol("multipart answer to a single range from " + r.uri());
    }
    long declared = Headers.parseLength(r.header(Headers.CONTENT_LENGTH).orElse(null));
    if (declared >= 0 && declared != got.length()) {
      throw RetryableException.protocol("206 whose Content-Length " + declared
          + " disagrees with Content-Range " + crText + " from " + r.uri());
    }
    return got;
  }

  /**
   * Throws when a response's validators show another version than {@code expected}. Validators
   * the response lacks are not held against it.
   */
  static void checkVersion(TransportResponse r, Validators expected) throws RemoteChangedException {
    Validators seen = Prober.validators(r, expected.length());
    if (!expected.sameVersionAs(seen)) {
      throw new RemoteChangedException("the remote file changed (was " + expected.describe()
          + ", now " + seen.describe() + ")");
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
