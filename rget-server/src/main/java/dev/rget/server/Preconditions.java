package dev.rget.server;

import dev.rget.core.http.EntityTag;
import dev.rget.core.http.HttpDate;
import dev.rget.core.http.IfRange;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Conditional requests (RFC 9110 section 13), evaluated in the order of section 13.2.2, one small
 * method per header so the code reads against the RFC. Pure: header values and validators in, a
 * decision out.
 *
 * <ol>
 *   <li>If-Match; else If-Unmodified-Since: false gives 412.
 *   <li>If-None-Match; else If-Modified-Since (GET and HEAD only): false gives 304 for GET and HEAD.
 *   <li>If-Range (GET with a Range only): false means the Range is ignored and the whole
 *       representation is sent with 200.
 * </ol>
 */
final class Preconditions {

  /** What the server must do after evaluating the preconditions. */
  enum Outcome {
    /** Serve normally; a Range header, if any, applies. */
    PROCEED,
    /** Serve the whole representation (200): If-Range did not match. */
    IGNORE_RANGE,
    /** 304 Not Modified. */
    NOT_MODIFIED,
    /** 412 Precondition Failed. */
    PRECONDITION_FAILED
  }

  /** The result of one header's condition. */
  enum Cond {
    /** Header absent, or to be ignored. */
    NONE,
    TRUE,
    FALSE
  }

  /**
   * The conditional headers of a request; {@code null} where absent (repeated headers joined with
   * {@code ", "}).
   */
  record Request(
      String method,
      String ifMatch,
      String ifUnmodifiedSince,
      String ifNoneMatch,
      String ifModifiedSince,
      String ifRange,
      boolean hasRange) {}

  /** The selected representation's validators. */
  record Validators(EntityTag etag, Instant lastModified) {}

  private Preconditions() {}

  /**
   * Evaluates the preconditions of {@code r} against {@code v}.
   *
   * @param now the current time, used to tell whether Last-Modified is a strong validator
   */
  static Outcome evaluate(Request r, Validators v, Instant now) {
    // Step 1 and 2: If-Match, or If-Unmodified-Since when If-Match is absent.
    Cond c = checkIfMatch(r.ifMatch(), v);
    if (c == Cond.NONE) {
      c = checkIfUnmodifiedSince(r.ifUnmodifiedSince(), v);
    }
    if (c == Cond.FALSE) {
      return Outcome.PRECONDITION_FAILED;
    }
    // Step 3 and 4: If-None-Match, or If-Modified-Since when If-None-Match is absent.
    boolean getOrHead = r.method().equals("GET") || r.method().equals("HEAD");
    Cond none = checkIfNoneMatch(r.ifNoneMatch(), v);
    if (none == Cond.FALSE) {
      return getOrHead ? Outcome.NOT_MODIFIED : Outcome.PRECONDITION_FAILED;
    }
    if (none == Cond.NONE && checkIfModifiedSince(r.method(), r.ifModifiedSince(), v) == Cond.FALSE) {
      return Outcome.NOT_MODIFIED;
    }
    // Step 5: If-Range, which only decides whether the Range applies.
    if (r.method().equals("GET") && r.hasRange()
        && checkIfRange(r.ifRange(), v, now) == Cond.FALSE) {
      return Outcome.IGNORE_RANGE;
    }
    return Outcome.PROCEED;
  }

  /**
   * RFC 9110 section 13.1.1: {@code *} is true when a representation exists (it does here);
   * otherwise true iff some listed tag matches the current ETag by <em>strong</em> comparison. A
   * malformed list matches nothing.
   */
  static Cond checkIfMatch(String value, Validators v) {
    if (value == null) {
      return Cond.NONE;
    }
    if (value.trim().equals("*")) {
      return Cond.TRUE;
    }
    for (EntityTag t : tags(value)) {
      if (t.strongMatch(v.etag())) {
        return Cond.TRUE;
      }
    }
    return Cond.FALSE;
  }

  /**
   * RFC 9110 section 13.1.4: ignored unless a valid HTTP-date; true iff the representation was last
   * modified at or before that date (whole seconds).
   */
  static Cond checkIfUnmodifiedSince(String value, Validators v) {
    Optional<Instant> date = HttpDate.parse(value);
    if (date.isEmpty()) {
      return Cond.NONE;
    }
    return seconds(v.lastModified()) <= date.get().getEpochSecond() ? Cond.TRUE : Cond.FALSE;
  }

  /**
   * RFC 9110 section 13.1.2: {@code *} is false when a representation exists; otherwise false iff
   * some listed tag matches by <em>weak</em> comparison. A malformed list is ignored.
   */
  static Cond checkIfNoneMatch(String value, Validators v) {
    if (value == null) {
      return Cond.NONE;
    }
    if (value.trim().equals("*")) {
      return Cond.FALSE;
    }
    Optional<List<EntityTag>> tags = EntityTag.parseList(value);
    if (tags.isEmpty()) {
      return Cond.NONE;
    }
    for (EntityTag t : tags.get()) {
      if (t.weakMatch(v.etag())) {
        return Cond.FALSE;
      }
    }
    return Cond.TRUE;
  }

  /**
   * RFC 9110 section 13.1.3: only for GET and HEAD, ignored unless a valid HTTP-date; false (not
   * modified) iff the representation was last modified at or before that date.
   */
  static Cond checkIfModifiedSince(String method, String value, Validators v) {
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return Cond.NONE;
    }
    Optional<Instant> date = HttpDate.parse(value);
    if (date.isEmpty()) {
      return Cond.NONE;
    }
    return seconds(v.lastModified()) <= date.get().getEpochSecond() ? Cond.FALSE : Cond.TRUE;
  }

  /**
   * RFC 9110 section 13.1.5, the rule shared with the client ({@link IfRange#matches}): a tag
   * matches by strong comparison only; a date only if it equals Last-Modified and Last-Modified
   * is at least one second in the past. Anything unparsable is false.
   */
  static Cond checkIfRange(String value, Validators v, Instant now) {
    if (value == null) {
      return Cond.NONE;
    }
    return IfRange.matches(value, v.etag(), v.lastModified(), now) ? Cond.TRUE : Cond.FALSE;
  }

  private static List<EntityTag> tags(String value) {
    return EntityTag.parseList(value).orElse(List.of());
  }

  private static long seconds(Instant t) {
    return t.getEpochSecond();
  }
}
