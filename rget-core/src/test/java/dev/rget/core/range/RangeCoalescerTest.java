package dev.rget.core.range;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Table-driven cases for coalescing resolved ranges. */
class RangeCoalescerTest {

  @ParameterizedTest(name = "[{index}] {0} gap {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      // disjoint and far apart: untouched, request order kept
      "0-9;100-109         | 1  | 0-9;100-109",
      "100-109;0-9         | 1  | 100-109;0-9",
      // overlap always merges
      "0-9;5-14            | 0  | 0-14",
      "5-14;0-9            | 0  | 0-14",
      // contained range disappears
      "0-99;10-19          | 0  | 0-99",
      // adjacency merges only with gap >= 1
      "0-4;5-9             | 1  | 0-9",
      "0-4;5-9             | 0  | 0-4;5-9",
      // small gap below the threshold merges, at the threshold it does not
      "0-9;20-29           | 11 | 0-29",
      "0-9;20-29           | 10 | 0-9;20-29",
      // anything merged: sorted output
      "200-209;0-9;5-14    | 1  | 0-14;200-209",
      // one range
      "7-7                 | 80 | 7-7",
  })
  void coalesces(String in, long gap, String expected) {
    assertThat(format(RangeCoalescer.coalesce(parse(in), gap))).isEqualTo(expected);
  }

  @Test
  void apacheKillerHeaderCollapsesToOneRange() {
    // CVE-2011-3192: bytes=0-,5-0,5-1,5-2,...: hundreds of overlapping ranges.
    long len = 1_000_000;
    List<ByteRange> ranges = new ArrayList<>();
    ranges.add(new ByteRange(0, len - 1));
    for (int i = 0; i < 1300; i++) {
      ranges.add(new ByteRange(5, 5 + i));
    }
    List<ByteRange> out = RangeCoalescer.coalesce(ranges, 80);
    assertThat(out).containsExactly(new ByteRange(0, len - 1));
    assertThat(totalLength(out)).isEqualTo(len);
  }

  @Test
  void manyTinyOutOfOrderRangesNeverCoverMoreThanTheFile() {
    long len = 10_000;
    List<ByteRange> ranges = new ArrayList<>();
    for (int i = 99; i >= 0; i--) {
      ranges.add(new ByteRange(i * 3, i * 3 + 50));
    }
    List<ByteRange> out = RangeCoalescer.coalesce(ranges, 1);
    assertThat(totalLength(out)).isLessThanOrEqualTo(len);
    for (int i = 1; i < out.size(); i++) {
      assertThat(out.get(i).first()).isGreaterThan(out.get(i - 1).last() + 1);
    }
  }

  @Test
  void rangesEndingAtLongMaxDoNotOverflow() {
    List<ByteRange> out = RangeCoalescer.coalesce(
        List.of(new ByteRange(0, Long.MAX_VALUE - 1), new ByteRange(Long.MAX_VALUE - 1, Long.MAX_VALUE - 1)),
        80);
    assertThat(out).containsExactly(new ByteRange(0, Long.MAX_VALUE - 1));
  }

  @Test
  void negativeGapIsRejected() {
    assertThatThrownBy(() -> RangeCoalescer.coalesce(List.of(), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<ByteRange> parse(String s) {
    return Arrays.stream(s.split(";"))
        .map(r -> r.split("-"))
        .map(p -> new ByteRange(Long.parseLong(p[0]), Long.parseLong(p[1])))
        .collect(Collectors.toList());
  }

  private static String format(List<ByteRange> ranges) {
    return ranges.stream().map(ByteRange::toString).collect(Collectors.joining(";"));
  }

  /** Bytes covered by {@code ranges}. */
  private static long totalLength(List<ByteRange> ranges) {
    return ranges.stream().mapToLong(ByteRange::length).sum();
  }
}
