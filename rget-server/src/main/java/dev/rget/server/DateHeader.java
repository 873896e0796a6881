package dev.rget.server;

import dev.rget.core.http.HttpDate;
import java.time.Instant;

/** The Date header value, formatted at most once per second. */
final class DateHeader {
  private record Cached(long second, String value) {}

  private static volatile Cached cached = new Cached(Long.MIN_VALUE, "");

  private DateHeader() {}

  /** IMF-fixdate of now. */
  static String now() {
    long second = System.currentTimeMillis() / 1000;
    Cached c = cached;
    if (c.second != second) {
      c = new Cached(second, HttpDate.format(Instant.ofEpochSecond(second)));
      cached = c;
    }
    return c.value;
  }
}
