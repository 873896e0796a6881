package dev.rget.core.http;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * How an HTTP/1.1 response body is framed (RFC 9112 section 6), read from its Content-Length and
 * Transfer-Encoding fields: the one reading that both the transport (to find where the body
 * ends) and the engine (to compare the body's length with the file's) use, so that the two never
 * disagree about a response.
 *
 * @param length the Content-Length, or -1 when there is none or a Transfer-Encoding overrides it
 * @param chunked whether the final transfer coding is {@code chunked}
 */
public record BodyLength(long length, boolean chunked) {

  /**
   * Reads the fields' values (every field line, in order).
   *
   * @throws IOException if a Content-Length value is not all digits (a sign, a space inside, an
   *     empty list member), or two values disagree: a response that could be framed two ways is
   *     how request smuggling and cache poisoning start
   */
  public static BodyLength of(List<String> contentLength, List<String> transferEncoding)
      throws IOException {
    boolean chunked = finalCodingIsChunked(transferEncoding);
    long length = -1;
    for (String v : contentLength) {
      for (String part : v.split(",", -1)) {
        long n = Headers.parseLength(part);
        if (n < 0) {
          throw new IOException("bad Content-Length '" + abbreviate(v) + "'");
        }
        if (length >= 0 && n != length) {
          throw new IOException("conflicting Content-Length values " + length + " and " + n);
        }
        length = n;
      }
    }
    // A Transfer-Encoding overrides any Content-Length (RFC 9112 section 6.3).
    return new BodyLength(transferEncoding.isEmpty() ? length : -1, chunked);
  }

  /** Whether the last coding listed is {@code chunked} (matched as a token, not a substring). */
  private static boolean finalCodingIsChunked(List<String> transferEncoding) {
    String last = null;
    for (String v : transferEncoding) {
      for (String coding : v.split(",")) {
        if (!coding.isBlank()) {
          last = coding.strip();
        }
      }
    }
    return last != null && last.toLowerCase(Locale.ROOT).split(";")[0].strip().equals("chunked");
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
