package dev.rget.core.range;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ContentRangeTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "bytes 0-499/1234           | 0 | 499 | 1234",
      "bytes 21010-47021/47022    | 21010 | 47021 | 47022",
      "bytes 0-0/*                | 0 | 0 | -1",
      "BYTES 5-9/10               | 5 | 9 | 10",
      "bytes 4294967296-4294967300/8589934592 | 4294967296 | 4294967300 | 8589934592",
  })
  void parsesSatisfiedForm(String value, long first, long last, long len) {
    ContentRange cr = ContentRange.parse(value).orElseThrow();
    assertThat(cr.range()).isEqualTo(new ByteRange(first, last));
    assertThat(cr.completeLength()).isEqualTo(len);
    assertThat(ContentRange.parse(cr.format())).contains(cr);
  }

  @Test
  void parsesUnsatisfiedForm() {
    ContentRange cr = ContentRange.parse("bytes */47022").orElseThrow();
    assertThat(cr.isUnsatisfied()).isTrue();
    assertThat(cr.completeLength()).isEqualTo(47022);
    assertThat(cr.format()).isEqualTo("bytes */47022");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "bytes 5-4/10", "bytes 0-10/10", "bytes */*", "bytes 0-1", "0-1/10", "bytes -1-5/10",
      "bytes 0-99999999999999999999/5", "bytes 0-1/99999999999999999999", "bytes a-b/10",
      "bytes 0-+1/10", "bytes 0-1/-1", "items 0-1/10", ""})
  void rejectsLies(String value) {
    assertThat(ContentRange.parse(value)).isEmpty();
  }

  @Test
  void refusesToBuildAnImpossibleValue() {
    assertThatThrownBy(() -> ContentRange.of(new ByteRange(0, 10), 10))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
