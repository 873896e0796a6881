package dev.rget.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpDateTest {
  private static final Instant EXAMPLE = Instant.parse("1994-11-06T08:49:37Z");

  @ParameterizedTest
  @ValueSource(strings = {
      "Sun, 06 Nov 1994 08:49:37 GMT", // IMF-fixdate
      "Sunday, 06-Nov-94 08:49:37 GMT", // obsolete RFC 850 form
      "Sun Nov  6 08:49:37 1994"}) // obsolete asctime form
  void parsesTheThreeFormsRfc9110Requires(String text) {
    assertThat(HttpDate.parse(text)).contains(EXAMPLE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "yesterday", "Sun, 06 Nov 1994 08:49:37", "Sun, 32 Nov 1994 08:49:37 GMT"})
  void rejectsWhatIsNotADate(String text) {
    assertThat(HttpDate.parse(text)).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void formatsImfFixdate() {
    assertThat(HttpDate.format(EXAMPLE)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
  }
}
