package dev.rget.testkit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A planned response: status, header fields and how to produce the body. Built by responders. */
final class Response {
  final int status;
  final List<String[]> headers = new ArrayList<>();
  /** Body source (null: no body). */
  Content content;
  long offset;
  /** Payload bytes to take from {@link #content}. */
  long length;
  /** Chunked transfer coding (no Content-Length). */
  boolean chunked;
  /** Gzip the payload (implies chunked). */
  boolean gzip;
  /** Stop after this many payload bytes and close (-1: send all). */
  long sendLimit = -1;
  /** Per-connection rate limit of the resource, bytes/s (0: none). */
  long rateLimit;
  /** Close the connection after this response. */
  boolean close;
  /** Its Content-Range was made wrong on purpose ({@link Faults.RangeQuirk}). */
  boolean misranged;

  Response(int status) {
    this.status = status;
  }

  Response header(String name, Object value) {
    headers.add(new String[] {name, String.valueOf(value)});
    return this;
  }

  /** Body with Content-Length framing. */
  Response body(Content content, long offset, long length) {
    this.content = content;
    this.offset = offset;
    this.length = length;
    return this;
  }

  /** A short text/plain response. */
  static Response text(int status, String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    Response r = new Response(status).header("Content-Type", "text/plain; charset=utf-8")
        .header("Content-Length", b.length);
    return r.body(new BytesContent(b), 0, b.length);
  }

  /** The standard error response: {@code "<status> <reason>\n"}. */
  static Response error(int status) {
    return text(status, status + " " + reason(status) + "\n");
  }

  static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 206 -> "Partial Content";
      case 301 -> "Moved Permanently";
      case 302 -> "Found";
      case 303 -> "See Other";
      case 304 -> "Not Modified";
      case 307 -> "Temporary Redirect";
      case 308 -> "Permanent Redirect";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 416 -> "Range Not Satisfiable";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "Status " + status;
    };
  }
}
