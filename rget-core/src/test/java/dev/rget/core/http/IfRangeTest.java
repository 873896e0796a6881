package dev.rget.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9110 section 13.1.5, both ends, as tables: what the client sends in If-Range for the
 * validators and Date a response carried, and whether the server takes an If-Range value as a
 * match (206 with the range) or not (200 with the whole file).
 */
class IfRangeTest {
  private static final String LM = "Fri, 01 Mar 2024 12:00:00 GMT";

  @ParameterizedTest(name = "[{index}] ETag {0}, Last-Modified {1}, Date {2} -> {3}: {4}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      // ETag    | Last-Modified                  | Date                          | If-Range sent                  | guards against
      "\"a\"     | Fri, 01 Mar 2024 12:00:00 GMT  | Fri, 01 Mar 2024 12:00:00 GMT | \"a\"                          | a strong tag not used (the tag does not depend on the date)",
      "\"a\"     | NULL                           | NULL                          | \"a\"                          | a strong tag needing a date",
      "W/\"a\"   | NULL                           | Sat, 02 Mar 2024 12:00:00 GMT | NULL                           | a weak tag sent",
      "W/\"a\"   | Fri, 01 Mar 2024 12:00:00 GMT  | Sat, 02 Mar 2024 12:00:00 GMT | NULL                           | a date sent although the client has a (weak) tag",
      "NULL      | Fri, 01 Mar 2024 12:00:00 GMT  | Fri, 01 Mar 2024 12:00:01 GMT | Fri, 01 Mar 2024 12:00:00 GMT  | a date one second older than Date not used",
      "NULL      | Fri, 01 Mar 2024 12:00:00 GMT  | Sat, 02 Mar 2024 12:00:00 GMT | Fri, 01 Mar 2024 12:00:00 GMT  | an old date not used",
      "NULL      | Fri, 01 Mar 2024 12:00:00 GMT  | Fri, 01 Mar 2024 12:00:00 GMT | NULL                           | a date of the same second as Date sent (the file may change again within it)",
      "NULL      | Fri, 01 Mar 2024 12:00:05 GMT  | Fri, 01 Mar 2024 12:00:00 GMT | NULL                           | a date later than Date sent",
      "NULL      | Fri, 01 Mar 2024 12:00:00 GMT  | NULL                          | NULL                           | a date sent with no Date to judge it by",
      "NULL      | yesterday                      | Sat, 02 Mar 2024 12:00:00 GMT | NULL                           | an unparsable Last-Modified sent",
      "NULL      | NULL                           | Sat, 02 Mar 2024 12:00:00 GMT | NULL                           | something sent with no validator",
  })
  void clientSendsOnlyAStrongTagOrAStrongDate(String etag, String lastModified, String date,
      String expected, String guardsAgainst) {
    EntityTag tag = etag == null ? null : EntityTag.parse(etag).orElseThrow();
    Instant serverDate = date == null ? null : HttpDate.parse(date).orElseThrow();
    assertThat(IfRange.toSend(tag, lastModified, serverDate).orElse(null)).as(guardsAgainst)
        .isEqualTo(expected);
    assertThat(new Validators(10, tag, lastModified).ifRangeValue(serverDate)).as(guardsAgainst)
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{index}] If-Range {0} against ETag {1}, mtime {2}, now {3} -> {4}: {5}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      // If-Range                      | ETag     | mtime (full precision)    | now                   | range applies (206) | guards against
      "\"a\"                           | \"a\"    | 2024-03-01T12:00:00Z      | 2024-03-02T12:00:00Z  | true  | an equal strong tag not matching",
      "\"a\"                           | \"a\"    | 2024-03-01T12:00:00.500Z  | 2024-03-01T12:00:00.600Z | true | a strong tag judged by the date",
      "\"b\"                           | \"a\"    | 2024-03-01T12:00:00Z      | 2024-03-02T12:00:00Z  | false | a stale tag matching",
      "W/\"a\"                         | \"a\"    | 2024-03-01T12:00:00Z      | 2024-03-02T12:00:00Z  | false | a weak tag matching",
      "\"a\"                           | W/\"a\"  | 2024-03-01T12:00:00Z      | 2024-03-02T12:00:00Z  | false | a tag matching a weak current tag",
      "\"a\"                           | NULL     | 2024-03-01T12:00:00Z      | 2024-03-02T12:00:00Z  | false | a tag matching a file without one",
      "Fri, 01 Mar 2024 12:00:00 GMT   | \"a\"    | 2024-03-01T12:00:00Z      | 2024-03-02T12:00:00Z  | true  | the exact old date not matching",
      "Fri, 01 Mar 2024 12:00:00 GMT   | \"a\"    | 2024-03-01T12:00:00.900Z  | 2024-03-02T12:00:00Z  | true  | sub-second precision breaking the match",
      "Fri, 01 Mar 2024 12:00:00 GMT   | \"a\"    | 2024-03-01T12:00:00.400Z  | 2024-03-01T12:00:01.200Z | false | a date less than a second old matching",
      "Fri, 01 Mar 2024 12:00:00 GMT   | \"a\"    | 2024-03-01T12:00:00.400Z  | 2024-03-01T12:00:01.400Z | true  | a date exactly one second old not matching",
      "Fri, 01 Mar 2024 12:00:00 GMT   | \"a\"    | 2024-03-01T12:00:00Z      | 2024-02-01T12:00:00Z  | false | a file dated in the future matching",
      "Fri, 01 Mar 2024 12:00:01 GMT   | \"a\"    | 2024-03-01T12:00:00Z      | 2024-03-02T12:00:00Z  | false | a later date matching",
      "Fri, 01 Mar 2024 11:59:59 GMT   | \"a\"    | 2024-03-01T12:00:00Z      | 2024-03-02T12:00:00Z  | false | an earlier date matching",
      "yesterday                       | \"a\"    | 2024-03-01T12:00:00Z      | 2024-03-02T12:00:00Z  | false | an unparsable value matching",
      "\"a                             | \"a\"    | 2024-03-01T12:00:00Z      | 2024-03-02T12:00:00Z  | false | an unterminated tag matching",
  })
  void serverMatchesOnlyAStrongTagOrAnExactStrongDate(String value, String etag, String mtime,
      String now, boolean matches, String guardsAgainst) {
    EntityTag tag = etag == null ? null : EntityTag.parse(etag).orElseThrow();
    assertThat(IfRange.matches(value, tag, Instant.parse(mtime), Instant.parse(now)))
        .as(guardsAgainst).isEqualTo(matches);
  }

  @Test
  void whatTheClientSendsTheServerMatchesForTheSameVersion() {
    // The two ends agree: a date the client judged strong by the response's Date matches on a
    // server whose clock is that Date, and a tag always does.
    Instant mtime = Instant.parse("2024-03-01T12:00:00Z");
    Instant date = mtime.plusSeconds(1);
    String sent = IfRange.toSend(null, HttpDate.format(mtime), date).orElseThrow();
    assertThat(IfRange.matches(sent, null, mtime, date)).isTrue();
    String tag = IfRange.toSend(EntityTag.strong("v1"), LM, date).orElseThrow();
    assertThat(IfRange.matches(tag, EntityTag.strong("v1"), mtime, date)).isTrue();
    assertThat(IfRange.matches(tag, EntityTag.strong("v2"), mtime, date)).isFalse();
  }
}
