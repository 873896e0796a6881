package dev.rget.core.http;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP dates (RFC 9110 section 5.6.7): formats IMF-fixdate, parses IMF-fixdate and the two
 * obsolete forms (RFC 850 and asctime) that recipients must still accept. Whole seconds only.
 */
public final class HttpDate {
  private static final DateTimeFormatter IMF =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter RFC850 =
      DateTimeFormatter.ofPattern("dd-MMM-yy HH:mm:ss 'GMT'", Locale.US);
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

  private HttpDate() {}

  /** IMF-fixdate, truncated to the second. */
  public static String format(Instant t) {
    return IMF.format(t);
  }

  /** Parses any of the three forms; empty if none fits. */
  public static Optional<Instant> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim();
    try {
      return Optional.of(ZonedDateTime.parse(v, IMF).toInstant());
    } catch (DateTimeParseException ignored) {
      // not IMF-fixdate; the obsolete forms follow
    }
    try {
      // The weekday is dropped before parsing: with a two-digit year it cannot be checked
      // until the century is known.
      int comma = v.indexOf(", ");
      LocalDateTime t = LocalDateTime.parse(comma < 0 ? v : v.substring(comma + 2), RFC850);
      // Two-digit years: RFC 9110 says a year more than 50 years ahead means the past century.
      if (t.getYear() > LocalDateTime.now(ZoneOffset.UTC).getYear() + 50) {
        t = t.minusYears(100);
      }
      return Optional.of(t.toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException ignored) {
      // not RFC 850 either
    }
    try {
      return Optional.of(LocalDateTime.parse(v, ASCTIME).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
