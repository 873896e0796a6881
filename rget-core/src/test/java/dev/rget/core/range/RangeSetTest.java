package dev.rget.core.range;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RangeSetTest {

  @Test
  void mergesTouchingAndOverlappingIntervals() {
    RangeSet s = new RangeSet();
    s.add(10, 20);
    s.add(30, 40);
    s.add(20, 30);
    assertThat(s.ranges()).containsExactly(ByteRange.ofHalfOpen(10, 40));
    s.add(0, 5);
    s.add(3, 12);
    assertThat(s.ranges()).containsExactly(ByteRange.ofHalfOpen(0, 40));
    assertThat(s.size()).isEqualTo(40);
  }

  @Test
  void reportsHoles() {
    RangeSet s = new RangeSet();
    s.add(5, 10);
    s.add(20, 25);
    assertThat(s.missing(30)).containsExactly(
        ByteRange.ofHalfOpen(0, 5), ByteRange.ofHalfOpen(10, 20), ByteRange.ofHalfOpen(25, 30));
    assertThat(s.containsAll(6, 10)).isTrue();
    assertThat(s.containsAll(6, 11)).isFalse();
  }

  @Test
  void agreesWithABitmapUnderRandomAdds() {
    Random rnd = new Random(42);
    for (int round = 0; round < 200; round++) {
      boolean[] bits = new boolean[300];
      RangeSet s = new RangeSet();
      for (int k = 0; k < 20; k++) {
        int a = rnd.nextInt(300);
        int b = a + rnd.nextInt(300 - a + 1);
        s.add(a, b);
        for (int i = a; i < b; i++) {
          bits[i] = true;
        }
      }
      RangeSet fromBits = new RangeSet();
      for (int i = 0; i < 300; i++) {
        if (bits[i]) {
          fromBits.add(i, i + 1);
        }
      }
      assertThat(s).isEqualTo(fromBits);
      long holes = s.missing(300).stream().mapToLong(ByteRange::length).sum();
      assertThat(holes + s.size()).isEqualTo(300);
    }
  }

  @Test
  void worksAbove4GiB() {
    RangeSet s = new RangeSet();
    long big = 5L << 30;
    s.add(big, big + 10);
    assertThat(s.missing(big + 20)).isEqualTo(List.of(
        ByteRange.ofHalfOpen(0, big), ByteRange.ofHalfOpen(big + 10, big + 20)));
  }

  @Test
  void removeAndIntersectionAgreeWithABitmap() {
    Random rnd = new Random(7);
    for (int round = 0; round < 200; round++) {
      boolean[] a = new boolean[300];
      boolean[] b = new boolean[300];
      RangeSet sa = new RangeSet();
      RangeSet sb = new RangeSet();
      for (int k = 0; k < 10; k++) {
        int x = rnd.nextInt(300);
        int y = x + rnd.nextInt(300 - x + 1);
        sa.add(x, y);
        java.util.Arrays.fill(a, x, y, true);
        x = rnd.nextInt(300);
        y = x + rnd.nextInt(300 - x + 1);
        sb.add(x, y);
        java.util.Arrays.fill(b, x, y, true);
      }
      RangeSet both = sa.intersection(sb);
      int x = rnd.nextInt(300);
      int y = x + rnd.nextInt(300 - x + 1);
      sa.remove(x, y);
      for (int i = 0; i < 300; i++) {
        assertThat(both.containsAll(i, i + 1)).isEqualTo(a[i] && b[i]);
        assertThat(sa.containsAll(i, i + 1)).isEqualTo(a[i] && (i < x || i >= y));
      }
    }
  }
}
