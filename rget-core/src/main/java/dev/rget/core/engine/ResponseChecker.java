package dev.rget.core.engine;

import dev.rget.core.http.BodyLength;
import dev.rget.core.http.Headers;
import dev.rget.core.http.Validators;
import dev.rget.core.range.ByteRange;
import dev.rget.core.range.ContentRange;
import dev.rget.core.transport.TransportResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a 206 answer to {@code Range: bytes=a-b} may be written at offset {@code a}:
 * its Content-Range must start at {@code a}, end within the request, and state the known total;
 * its validators must name the version being downloaded, and its content coding the
 * representation being downloaded. Nothing else is ever written.
 */
final class ResponseChecker {
  private ResponseChecker() {}

  /**
   * Returns the range the body will carry.
   *
   * @param coding the content coding every response of this file carries ({@code null}: none)
   * @throws RetryableException (protocol class) when the server lies about the range
   * @throws RemoteChangedException when the response belongs to another version of the file
   */
  static ByteRange checkPartial(TransportResponse r, ByteRange requested, Validators expected,
      String coding) throws RetryableException, RemoteChangedException {
    checkVersion(r, expected);
    checkCoding(r, coding);
    ContentRange cr = contentRange(r, requested);
    if (cr.completeLength() != expected.length()) {
      if (!cr.hasCompleteLength()) {
        throw RetryableException.protocol("206 with an unknown total length ("
            + cr.format() + ") from " + r.uri());
      }
      // Another length: either the file changed, or one of the server's answers (this one, or
      // the probe's) lied. The download job asks again and acts on what the server says then.
      checkLength(cr.completeLength(), expected.length(),
          vouchesForVersion(r, expected) ? " under the same validators" : "");
    }
    return placement(r, cr, requested);
  }

  /**
   * The Content-Range of a 206 answering {@code requested}: present, well-formed and satisfied.
   * Its total length is not checked here (the probe learns it from this; later answers compare).
   */
  static ContentRange contentRange(TransportResponse r, ByteRange requested)
      throws RetryableException {
    String crText = r.header(Headers.CONTENT_RANGE).orElse(null);
    Optional<ContentRange> parsed = ContentRange.parse(crText);
    if (parsed.isEmpty() || parsed.get().isUnsatisfied()) {
      throw RetryableException.protocol(
          "206 with a missing or malformed Content-Range '" + nullToEmpty(crText) + "' for "
              + requested + " from " + r.uri());
    }
    return parsed.get();
  }

  /**
   * The bytes a 206 body carries, when they may be written where {@code requested} starts: the
   * range must start there and end within the request, be one range (not multipart), and agree
   * with the Content-Length.
   *
   * @throws RetryableException (a {@link RetryableException#wrongRange} for other bytes)
   */
  static ByteRange placement(TransportResponse r, ContentRange cr, ByteRange requested)
      throws RetryableException {
    ByteRange got = cr.range();
    if (got.first() != requested.first() || got.last() > requested.last()) {
      // A lie about where the bytes are: never written; the next attempt may be honest.
      throw RetryableException.wrongRange("server sent bytes " + got + " when asked for "
          + requested + " (" + r.uri() + ")");
    }
    if (r.header(Headers.CONTENT_TYPE).map(t -> t.toLowerCase(Locale.ROOT)
        .startsWith("multipart/byteranges")).orElse(false)) {
      throw RetryableException.protocol("multipart answer to a single range from " + r.uri());
    }
    long declared = declaredLength(r);
    if (declared >= 0 && declared != got.length()) {
      throw RetryableException.protocol("206 whose Content-Length " + declared
          + " disagrees with Content-Range " + cr.format() + " from " + r.uri());
    }
    return got;
  }

  /**
   * The body length the response declares (-1: none, or chunked), read as the transport framed
   * it (see {@link BodyLength}).
   */
  static long declaredLength(TransportResponse r) throws RetryableException {
    try {
      return BodyLength.of(r.headers(Headers.CONTENT_LENGTH), r.headers(Headers.TRANSFER_ENCODING))
          .length();
    } catch (IOException e) {
      // The transport refuses such a head; a transport that did not is still not believed.
      throw RetryableException.protocol(e.getMessage() + " from " + r.uri());
    }
  }

  /**
   * Throws when the server reports a length of the file ({@code >= 0}) other than the
   * {@code expected} one ({@code >= 0}): the file changed, or one of the server's answers lied.
   * The download job asks again and acts on what the server says then.
   *
   * @param note appended to the message (what else the response said)
   */
  static void checkLength(long reported, long expected, String note)
      throws RemoteChangedException {
    if (reported >= 0 && expected >= 0 && reported != expected) {
      throw new RemoteChangedException("the server now reports a length of " + reported
          + " bytes instead of " + expected + note);
    }
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

  /**
   * Throws when a response's content coding differs from the file's: a body compressed on the
   * fly is another representation, with other bytes at other offsets, and must not be written.
   */
  static void checkCoding(TransportResponse r, String expected) throws RetryableException {
    String seen = contentCoding(r);
    if (Objects.equals(seen, expected)) {
      return;
    }
    if (expected == null) {
      throw RetryableException.protocol("server sent a " + seen + "-encoded body although rget"
          + " asked for identity (Accept-Encoding: identity) from " + r.uri());
    }
    throw RetryableException.protocol("server sent a body encoded as '"
        + (seen == null ? "identity" : seen) + "' where it first said '" + expected + "' from "
        + r.uri());
  }

  /** The response's Content-Encoding in lower case; {@code null} when absent or identity. */
  static String contentCoding(TransportResponse r) {
    String v = r.header(Headers.CONTENT_ENCODING).map(s -> s.trim().toLowerCase(Locale.ROOT))
        .orElse("");
    return v.isEmpty() || v.equals("identity") ? null : v;
  }

  /** Whether the response carries a validator, and every one it carries matches. */
  private static boolean vouchesForVersion(TransportResponse r, Validators expected) {
    Validators seen = Prober.validators(r, expected.length());
    boolean etag = expected.etag() != null && seen.etag() != null;
    boolean date = expected.lastModified() != null && seen.lastModified() != null;
    return (etag || date) && expected.sameVersionAs(seen);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
