package dev.rget.core.range;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Table-driven cases for Range parsing and resolution against a 10 000-byte representation. */
class RangeHeaderTest {
  private static final long LEN = 10_000;

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', nullValues = "IGNORED", value = {
      "bytes=0-499                       | 0-499",
      "bytes=500-999                     | 500-999",
      "bytes=-500                        | 9500-9999",
      "bytes=9500-                       | 9500-9999",
      "bytes=0-0,-1                      | 0-0;9999-9999",
      "bytes=500-600,601-999             | 500-600;601-999",
      "bytes=0-18446744073709551615      | 0-9999",
      "bytes=0-99999999999999999999999999 | 0-9999",
      "bytes=-99999999999999999999999999 | 0-9999",
      "BYTES=1-2                         | 1-2",
      "'bytes= 1-2 ,, 3-4 '              | 1-2;3-4",
      "bytes=9999-                       | 9999-9999",
      "bytes=10000-                      | ''",
      "bytes=-0                          | ''",
      "bytes=99999999999999999999999999- | ''",
      "bytes=5-4                         | IGNORED",
      "bytes=+5-10                       | IGNORED",
      "bytes=5--10                       | IGNORED",
      "bytes=-                           | IGNORED",
      "bytes=                            | IGNORED",
      "bytes=1 -2                        | IGNORED",
      "bytes=١-٢                         | IGNORED",
      "items=0-5                         | IGNORED",
      "bytes0-5                          | IGNORED",
      "bytes=0x10-20                     | IGNORED",
  })
  void parsesAndResolves(String header, String expected) {
    Optional<List<RangeSpec>> specs = RangeHeader.parse(header, 100);
    if (expected == null) {
      assertThat(specs).as("header must be ignored").isEmpty();
      return;
    }
    assertThat(specs).isPresent();
    String resolved = specs.get().stream()
        .map(s -> s.resolve(LEN))
        .flatMap(Optional::stream)
        .map(ByteRange::toString)
        .collect(Collectors.joining(";"));
    assertThat(resolved).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"3, true", "2, false"})
  void capsTheNumberOfSpecs(int max, boolean accepted) {
    assertThat(RangeHeader.parse("bytes=0-1,2-3,4-5", max).isPresent()).isEqualTo(accepted);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"0-499 | bytes=0-499", "1-1 | bytes=1-1"})
  void formats(String range, String header) {
    String[] p = range.split("-");
    assertThat(RangeHeader.format(new ByteRange(Long.parseLong(p[0]), Long.parseLong(p[1]))))
        .isEqualTo(header);
    assertThat(RangeHeader.format(List.of(new ByteRange(0, 1), new ByteRange(5, 9))))
        .isEqualTo("bytes=0-1,5-9");
  }

  @ParameterizedTest
  @CsvSource({"0", "-5"})
  void nothingIsSatisfiableInAnEmptyRepresentation(long len) {
    assertThat(RangeSpec.open(0).resolve(len)).isEmpty();
    assertThat(RangeSpec.suffix(5).resolve(len)).isEmpty();
  }
}
