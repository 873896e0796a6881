package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.range.ByteRange;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The server's reading of a Range header, after abuse limits, as a table. */
class RangePlanTest {

  @ParameterizedTest(name = "[{index}] {0} of {1} -> {2}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "NULL                                 | 100  | WHOLE",
      "bytes=0-9                            | 100  | 0-9",
      "bytes=-10                            | 100  | 90-99",
      "bytes=95-                            | 100  | 95-99",
      "bytes=90-200                         | 100  | 90-99",
      "bytes=-500                           | 100  | 0-99",
      "bytes=0-18446744073709551615         | 100  | 0-99",
      "bytes=0-99999999999999999999999999   | 100  | 0-99",
      "bytes=99999999999999999999999999-    | 100  | UNSATISFIABLE",
      "bytes=9223372036854775807-           | 100  | UNSATISFIABLE",
      "bytes=100-                           | 100  | UNSATISFIABLE",
      "bytes=100-200,300-400                | 100  | UNSATISFIABLE",
      "bytes=-0                             | 100  | UNSATISFIABLE",
      "bytes=0-                             | 0    | UNSATISFIABLE",
      "bytes=100-,0-0                       | 100  | 0-0",
      "bytes=0-0,-1                         | 1000 | 0-0;999-999",
      "bytes=500-599,0-99                   | 1000 | 500-599;0-99",
      "bytes=0-9,5-19                       | 1000 | 0-19",
      "bytes=0-9,50-59                      | 1000 | 0-59",
      "bytes=0-9,90-99                      | 1000 | 0-9;90-99",
      "bytes=+5-10                          | 100  | WHOLE",
      "bytes=5-4                            | 100  | WHOLE",
      "bytes=1 -2                           | 100  | WHOLE",
      "items=0-5                            | 100  | WHOLE",
      "bytes=0-5;6-7                        | 100  | WHOLE",
      "bytes=١-٢                            | 100  | WHOLE",
      "''                                   | 100  | WHOLE",
  })
  void plans(String header, long length, String expected) {
    RangePlan plan = RangePlan.of(header, length);
    String got = plan.kind() == RangePlan.Kind.PARTIAL
        ? plan.ranges().stream().map(ByteRange::toString).collect(Collectors.joining(";"))
        : plan.kind().name();
    assertThat(got).isEqualTo(expected);
  }

  @Test
  void moreThanMaxRangesIsIgnoredRatherThanServed() {
    String header = "bytes=" + IntStream.range(0, RangePlan.MAX_RANGES + 1)
        .mapToObj(i -> i * 1000 + "-" + i * 1000).collect(Collectors.joining(","));
    assertThat(RangePlan.of(header, 1_000_000).kind()).isEqualTo(RangePlan.Kind.WHOLE);
  }

  @Test
  void maxRangesFarApartAreAllServed() {
    String header = "bytes=" + IntStream.range(0, RangePlan.MAX_RANGES)
        .mapToObj(i -> i * 1000 + "-" + i * 1000).collect(Collectors.joining(","));
    RangePlan plan = RangePlan.of(header, 1_000_000);
    assertThat(plan.ranges()).hasSize(RangePlan.MAX_RANGES);
    assertThat(plan.isMultipart()).isTrue();
  }

  @Test
  void apacheKillerHeaderIsIgnoredBecause5Minus0IsInvalid() {
    // The original CVE-2011-3192 header: "5-0" has last < first, so the whole header is invalid.
    String header = "bytes=0-," + IntStream.range(0, 99).mapToObj(i -> "5-" + i).collect(Collectors.joining(","));
    assertThat(RangePlan.of(header, 10_000).kind()).isEqualTo(RangePlan.Kind.WHOLE);
  }

  @Test
  void apacheKillerStyleOverlapCollapsesToTheFileItself() {
    String header = "bytes=0-," + IntStream.range(0, 99).mapToObj(i -> "5-" + (5 + i)).collect(Collectors.joining(","));
    RangePlan plan = RangePlan.of(header, 10_000);
    assertThat(plan.ranges()).containsExactly(new ByteRange(0, 9_999));
  }
}
