package dev.rget.testkit;

import java.util.Locale;

/**
 * A deliberately independent, minimal reading of a {@code Range} header (RFC 9110 section 14.2):
 * one {@code bytes=} range-spec, or a note that there were several or that it was unusable.
 */
final class RangeRequest {

  /** What kind of Range header was found. */
  enum Kind {
    /** Syntactically invalid or another unit: to be ignored (200). */
    INVALID,
    /** More than one range-spec: this server answers 200 with the whole body. */
    MULTIPLE,
    /** Exactly one range-spec. */
    SINGLE
  }

  private static final long NONE = -1;

  private final Kind kind;
  private final long first;
  private final long last;
  private final long suffix;

  private RangeRequest(Kind kind, long first, long last, long suffix) {
    this.kind = kind;
    this.first = first;
    this.last = last;
    this.suffix = suffix;
  }

  Kind kind() {
    return kind;
  }

  static RangeRequest parse(String header) {
    String v = header.trim();
    int eq = v.indexOf('=');
    if (eq < 0 || !v.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
      return invalid();
    }
    String[] specs = v.substring(eq + 1).split(",", -1);
    RangeRequest single = null;
    int count = 0;
    for (String raw : specs) {
      String s = raw.trim();
      if (s.isEmpty()) {
        continue; // RFC 9110 allows empty list elements
      }
      count++;
      single = parseSpec(s);
      if (single.kind == Kind.INVALID) {
        return single;
      }
    }
    if (count == 0) {
      return invalid();
    }
    return count == 1 ? single : new RangeRequest(Kind.MULTIPLE, NONE, NONE, NONE);
  }

  private static RangeRequest parseSpec(String s) {
    int dash = s.indexOf('-');
    if (dash < 0) {
      return invalid();
    }
    String a = s.substring(0, dash).trim();
    String b = s.substring(dash + 1).trim();
    if (a.isEmpty()) {
      long n = digits(b);
      return n < 0 ? invalid() : new RangeRequest(Kind.SINGLE, NONE, NONE, n);
    }
    long first = digits(a);
    if (first < 0) {
      return invalid();
    }
    if (b.isEmpty()) {
      return new RangeRequest(Kind.SINGLE, first, NONE, NONE);
    }
    long last = digits(b);
    if (last < 0 || last < first) {
      return invalid();
    }
    return new RangeRequest(Kind.SINGLE, first, last, NONE);
  }

  /** Non-negative decimal, saturating at Long.MAX_VALUE; -1 if not all digits. */
  private static long digits(String s) {
    if (s.isEmpty()) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      int d = c - '0';
      n = n > (Long.MAX_VALUE - d) / 10 ? Long.MAX_VALUE : n * 10 + d;
    }
    return n;
  }

  private static RangeRequest invalid() {
    return new RangeRequest(Kind.INVALID, NONE, NONE, NONE);
  }

  /**
   * The {@code [first, last]} positions this single range selects in a representation of
   * {@code length} bytes, or null if unsatisfiable.
   */
  long[] resolve(long length) {
    if (kind != Kind.SINGLE || length <= 0) {
      return null;
    }
    if (suffix != NONE) {
      return suffix == 0 ? null : new long[] {Math.max(0, length - suffix), length - 1};
    }
    if (first >= length) {
      return null;
    }
    return new long[] {first, last == NONE ? length - 1 : Math.min(last, length - 1)};
  }
}
