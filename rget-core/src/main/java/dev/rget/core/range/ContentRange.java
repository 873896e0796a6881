package dev.rget.core.range;

import java.util.Optional;

/**
 * The {@code Content-Range} header (RFC 9110 section 14.4): either {@code bytes first-last/length}
 * (length may be {@code *}, unknown) in a 206, or {@code bytes *}{@code /length} in a 416.
 *
 * @param range the bytes carried, or {@code null} for the unsatisfied form {@code bytes *}{@code /N}
 * @param completeLength the representation's full length, or {@link #UNKNOWN_LENGTH}
 */
public record ContentRange(ByteRange range, long completeLength) {
  /** Stands for {@code *} in the complete-length position. */
  public static final long UNKNOWN_LENGTH = -1;

  /** Validates that a known length covers the range. */
  public ContentRange {
    if (completeLength < UNKNOWN_LENGTH) {
      throw new IllegalArgumentException("bad complete length " + completeLength);
    }
    if (range == null && completeLength == UNKNOWN_LENGTH) {
      throw new IllegalArgumentException("bytes */* is not a valid Content-Range");
    }
    if (range != null && completeLength != UNKNOWN_LENGTH && range.last() >= completeLength) {
      throw new IllegalArgumentException("range " + range + " past length " + completeLength);
    }
  }

  /** {@code bytes first-last/length}. */
  public static ContentRange of(ByteRange range, long completeLength) {
    return new ContentRange(range, completeLength);
  }

  /** {@code bytes *}{@code /length}, as sent with 416. */
  public static ContentRange unsatisfied(long completeLength) {
    return new ContentRange(null, completeLength);
  }

  /** Whether this is the {@code bytes *}{@code /N} form. */
  public boolean isUnsatisfied() {
    return range == null;
  }

  /** Whether the complete length is known (not {@code *}). */
  public boolean hasCompleteLength() {
    return completeLength != UNKNOWN_LENGTH;
  }

  /** The header value. */
  public String format() {
    String len = hasCompleteLength() ? Long.toString(completeLength) : "*";
    return RangeHeader.BYTES + " " + (range == null ? "*" : range.toString()) + "/" + len;
  }

  @Override
  public String toString() {
    return format();
  }

  /**
   * Parses a Content-Range value strictly: ASCII digits only, no numbers beyond {@code long}, the
   * range inside the length. Empty on anything else, so a lying server is caught rather than
   * trusted.
   */
  public static Optional<ContentRange> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim();
    int sp = v.indexOf(' ');
    if (sp < 0 || !v.substring(0, sp).equalsIgnoreCase(RangeHeader.BYTES)) {
      return Optional.empty();
    }
    String rest = v.substring(sp + 1).trim();
    int slash = rest.indexOf('/');
    if (slash < 0) {
      return Optional.empty();
    }
    String r = rest.substring(0, slash);
    String l = rest.substring(slash + 1);
    long length;
    if (l.equals("*")) {
      length = UNKNOWN_LENGTH;
    } else {
      length = strictLong(l);
      if (length < 0) {
        return Optional.empty();
      }
    }
    if (r.equals("*")) {
      return length == UNKNOWN_LENGTH ? Optional.empty() : Optional.of(unsatisfied(length));
    }
    int dash = r.indexOf('-');
    if (dash <= 0) {
      return Optional.empty();
    }
    long first = strictLong(r.substring(0, dash));
    long last = strictLong(r.substring(dash + 1));
    if (first < 0 || last < first || (length != UNKNOWN_LENGTH && last >= length)) {
      return Optional.empty();
    }
    return Optional.of(new ContentRange(new ByteRange(first, last), length));
  }

  /** ASCII digits that fit a long; -1 otherwise (a reply that overflows is a lie, not a file). */
  private static long strictLong(String s) {
    if (s.isEmpty() || s.length() > 19) {
      return -1;
    }
    long v = RangeHeader.parseDigits(s);
    return v == Long.MAX_VALUE && !s.equals(Long.toString(Long.MAX_VALUE)) ? -1 : v;
  }
}
