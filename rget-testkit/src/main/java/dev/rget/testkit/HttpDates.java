package dev.rget.testkit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/** IMF-fixdate formatting and parsing (RFC 9110 section 5.6.7), independent of rget-core. */
final class HttpDates {
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  private HttpDates() {}

  static String format(Instant instant) {
    return IMF_FIXDATE.format(instant);
  }

  /** Parses an IMF-fixdate (the only form this server emits); empty if malformed. */
  static Optional<Instant> parse(String value) {
    try {
      return Optional.of(Instant.from(IMF_FIXDATE.parse(value.trim())));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
