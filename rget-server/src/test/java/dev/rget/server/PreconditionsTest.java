package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.http.EntityTag;
import dev.rget.server.Preconditions.Outcome;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9110 section 13.2.2, case by case. Current validators: ETag {@code "abc"}, Last-Modified
 * Fri, 01 Mar 2024 12:00:00 GMT; "now" is a day later.
 */
class PreconditionsTest {
  private static final Instant LM = Instant.parse("2024-03-01T12:00:00Z");
  private static final Preconditions.Validators V =
      new Preconditions.Validators(EntityTag.strong("abc"), LM);
  private static final Instant NOW = LM.plusSeconds(86_400);

  @ParameterizedTest(name = "[{index}] {0}: {8}")
  @CsvSource(delimiter = '|', value = {
      // method| If-Match      | If-Unmodified-Since           | If-None-Match | If-Modified-Since              | If-Range                      | Range | expected            | guards against
      "GET  |                |                               |               |                                |                               | false | PROCEED             | no conditions means serve",
      "GET  | \"abc\"        |                               |               |                                |                               | false | PROCEED             | matching If-Match refused",
      "GET  | \"xyz\"        |                               |               |                                |                               | false | PRECONDITION_FAILED | If-Match mismatch served anyway",
      "GET  | *              |                               |               |                                |                               | false | PROCEED             | If-Match * refused on an existing file",
      "GET  | W/\"abc\"      |                               |               |                                |                               | false | PRECONDITION_FAILED | If-Match using weak comparison",
      "GET  | \"xyz\", \"abc\" |                             |               |                                |                               | false | PROCEED             | If-Match list only checking the first tag",
      "GET  | abc            |                               |               |                                |                               | false | PRECONDITION_FAILED | malformed If-Match treated as a match",
      "GET  |                | Fri, 01 Mar 2024 12:00:00 GMT |               |                                |                               | false | PROCEED             | If-Unmodified-Since equal date refused",
      "GET  |                | Fri, 01 Mar 2024 11:59:59 GMT |               |                                |                               | false | PRECONDITION_FAILED | If-Unmodified-Since earlier date served",
      "GET  |                | not a date                    |               |                                |                               | false | PROCEED             | invalid If-Unmodified-Since not ignored",
      "GET  | \"abc\"        | Fri, 01 Mar 2024 11:59:59 GMT |               |                                |                               | false | PROCEED             | If-Unmodified-Since evaluated despite If-Match",
      "GET  |                |                               | \"abc\"       |                                |                               | false | NOT_MODIFIED        | If-None-Match match not giving 304",
      "GET  |                |                               | W/\"abc\"     |                                |                               | false | NOT_MODIFIED        | If-None-Match using strong comparison",
      "GET  |                |                               | \"xyz\"       |                                |                               | false | PROCEED             | If-None-Match mismatch giving 304",
      "GET  |                |                               | *             |                                |                               | false | NOT_MODIFIED        | If-None-Match * not giving 304",
      "HEAD |                |                               | \"abc\"       |                                |                               | false | NOT_MODIFIED        | HEAD not getting 304",
      "GET  |                |                               |               | Fri, 01 Mar 2024 12:00:00 GMT  |                               | false | NOT_MODIFIED        | If-Modified-Since equal date not giving 304",
      "GET  |                |                               |               | Fri, 01 Mar 2024 13:00:00 GMT  |                               | false | NOT_MODIFIED        | If-Modified-Since later date not giving 304",
      "GET  |                |                               |               | Fri, 01 Mar 2024 11:59:59 GMT  |                               | false | PROCEED             | If-Modified-Since earlier date giving 304",
      "GET  |                |                               |               | Fri Mar  1 12:00:00 2024       |                               | false | NOT_MODIFIED        | obsolete asctime date not understood",
      "GET  |                |                               |               | garbage                        |                               | false | PROCEED             | invalid If-Modified-Since not ignored",
      "GET  |                |                               | \"xyz\"       | Fri, 01 Mar 2024 12:00:00 GMT  |                               | false | PROCEED             | If-Modified-Since evaluated despite If-None-Match",
      "GET  | \"xyz\"        |                               | \"abc\"       |                                |                               | false | PRECONDITION_FAILED | If-None-Match evaluated before If-Match",
      "GET  |                |                               | \"abc\"       |                                | \"xyz\"                       | true  | NOT_MODIFIED        | If-Range evaluated before If-None-Match",
      "GET  |                |                               |               |                                | \"abc\"                       | true  | PROCEED             | matching If-Range ignoring the Range",
      "GET  |                |                               |               |                                | \"xyz\"                       | true  | IGNORE_RANGE        | stale If-Range still getting a partial reply",
      "GET  |                |                               |               |                                | W/\"abc\"                     | true  | IGNORE_RANGE        | weak If-Range tag matching",
      "GET  |                |                               |               |                                | Fri, 01 Mar 2024 12:00:00 GMT | true  | PROCEED             | If-Range with the exact date not matching",
      "GET  |                |                               |               |                                | Fri, 01 Mar 2024 12:00:01 GMT | true  | IGNORE_RANGE        | If-Range with a later date matching",
      "GET  |                |                               |               |                                | Fri, 01 Mar 2024 11:59:59 GMT | true  | IGNORE_RANGE        | If-Range with an earlier date matching",
      "GET  |                |                               |               |                                | \"abc                         | true  | IGNORE_RANGE        | malformed If-Range matching",
      "GET  |                |                               |               |                                | yesterday                     | true  | IGNORE_RANGE        | unparsable If-Range date matching",
      "GET  |                |                               |               |                                | \"xyz\"                       | false | PROCEED             | If-Range evaluated without a Range",
      "HEAD |                |                               |               |                                | \"xyz\"                       | true  | PROCEED             | If-Range evaluated on HEAD",
  })
  void evaluatesInRfcOrder(String method, String ifMatch, String ius, String inm, String ims,
      String ifRange, boolean hasRange, Outcome expected, String guardsAgainst) {
    Preconditions.Request r = new Preconditions.Request(method, ifMatch, ius, inm, ims, ifRange, hasRange);
    assertThat(Preconditions.evaluate(r, V, NOW)).as(guardsAgainst).isEqualTo(expected);
  }

  @Test
  void ifRangeDateOfAFileModifiedWithinTheLastSecondIsWeakSoTheRangeIsIgnored() {
    Instant justNow = Instant.parse("2024-03-01T12:00:00.400Z");
    Preconditions.Validators fresh = new Preconditions.Validators(EntityTag.strong("abc"), justNow);
    Preconditions.Request r = new Preconditions.Request(
        "GET", null, null, null, null, "Fri, 01 Mar 2024 12:00:00 GMT", true);
    assertThat(Preconditions.evaluate(r, fresh, justNow.plusMillis(300))).isEqualTo(Outcome.IGNORE_RANGE);
    assertThat(Preconditions.evaluate(r, fresh, justNow.plusSeconds(2))).isEqualTo(Outcome.PROCEED);
  }
}
