package dev.rget.core.range;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses and formats the {@code Range} request header (RFC 9110 section 14.2). Pure: text in,
 * values out, no I/O. Both the download engine (which formats) and the file server (which parses)
 * use this one class.
 */
public final class RangeHeader {
  /** The only range unit rget knows. Units compare case-insensitively (RFC 9110 section 14.1). */
  public static final String BYTES = "bytes";

  private RangeHeader() {}

  /** {@code bytes=first-last}. */
  public static String format(ByteRange range) {
    return BYTES + "=" + range;
  }

  /** {@code bytes=a-b, c-d, ...}. */
  public static String format(List<ByteRange> ranges) {
    if (ranges.isEmpty()) {
      throw new IllegalArgumentException("no ranges");
    }
    StringBuilder sb = new StringBuilder(BYTES).append('=');
    for (int i = 0; i < ranges.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(ranges.get(i));
    }
    return sb.toString();
  }

  /**
   * Parses a Range header value. Returns empty when the header must be ignored: an unknown unit or
   * any syntax error, including {@code last-pos < first-pos}, signs, spaces inside a number, and
   * non-ASCII digits. Over-long numbers are not errors: they saturate to {@link Long#MAX_VALUE}.
   *
   * @param value the header value, or {@code null}
   * @param maxSpecs refuse (return empty) a header holding more than this many specs, so that a
   *     hostile header cannot make the caller allocate without bound
   */
  public static Optional<List<RangeSpec>> parse(String value, int maxSpecs) {
    if (value == null) {
      return Optional.empty();
    }
    int eq = value.indexOf('=');
    if (eq < 0 || !value.substring(0, eq).trim().equalsIgnoreCase(BYTES)) {
      return Optional.empty();
    }
    List<RangeSpec> specs = new ArrayList<>();
    int i = eq + 1;
    int n = value.length();
    while (i <= n) {
      int comma = value.indexOf(',', i);
      int end = comma < 0 ? n : comma;
      String element = trimOws(value, i, end);
      // RFC 9110 section 5.6.1: empty list elements are allowed and ignored.
      if (!element.isEmpty()) {
        RangeSpec spec = parseSpec(element);
        if (spec == null || specs.size() == maxSpecs) {
          return Optional.empty();
        }
        specs.add(spec);
      }
      i = end + 1;
    }
    return specs.isEmpty() ? Optional.empty() : Optional.of(specs);
  }

  private static RangeSpec parseSpec(String s) {
    int dash = s.indexOf('-');
    if (dash < 0) {
      return null;
    }
    String a = s.substring(0, dash);
    String b = s.substring(dash + 1);
    if (a.isEmpty()) {
      long n = parseDigits(b);
      return n < 0 ? null : RangeSpec.suffix(n);
    }
    long first = parseDigits(a);
    if (first < 0) {
      return null;
    }
    if (b.isEmpty()) {
      return RangeSpec.open(first);
    }
    long last = parseDigits(b);
    if (last < 0 || last < first) {
      return null;
    }
    return RangeSpec.closed(first, last);
  }

  /** ASCII digits only; saturates at Long.MAX_VALUE; -1 on anything else or an empty string. */
  static long parseDigits(String s) {
    if (s.isEmpty()) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      int d = c - '0';
      v = v > (Long.MAX_VALUE - d) / 10 ? Long.MAX_VALUE : v * 10 + d;
    }
    return v;
  }

  private static String trimOws(String s, int from, int to) {
    while (from < to && isOws(s.charAt(from))) {
      from++;
    }
    while (to > from && isOws(s.charAt(to - 1))) {
      to--;
    }
    return s.substring(from, to);
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }
}
