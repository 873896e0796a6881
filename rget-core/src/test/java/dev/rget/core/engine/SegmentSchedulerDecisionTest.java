package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.range.ByteRange;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What an idle connection gets from the scheduler in each situation, decided at one moment of a
 * clock the test sets: no transfer, no waiting. Each row lays out segments of {@code size} bytes
 * back to back from byte 0, hands out the first {@code handedOut} of them at time 0, lets each
 * owner write {@code written[i]} bytes, moves the clock to {@code nowMillis}, and asks for work
 * on behalf of a connection whose own rate is {@code thiefRate} bytes/s (0: not known yet).
 */
class SegmentSchedulerDecisionTest {
  private static final long KIB = 1 << 10;
  private static final long MIB = 1 << 20;
  private static final long MIN_SPLIT = MIB;

  /**
   * @param expected the range handed to the idle connection, or {@code null} for nothing now
   */
  record Situation(String name, long size, int pieces, int handedOut, long[] written,
      long nowMillis, double thiefRate, ByteRange expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static ByteRange mib(double from, double to) {
    return ByteRange.ofHalfOpen((long) (from * MIB), (long) (to * MIB));
  }

  static Stream<Situation> situations() {
    return Stream.of(
        new Situation("work not yet handed out comes before any steal",
            16 * MIB, 3, 2, new long[] {MIB, MIB}, 500, 10 * MIB, mib(32, 48)),
        new Situation("equal rates: the largest remainder is split in halves",
            16 * MIB, 2, 2, new long[] {5 * MIB, 5 * MIB}, 500, 10 * MIB, mib(10.5, 16)),
        new Situation("one connection 4x slower keeps only what it finishes when the thief does",
            12 * MIB, 2, 2, new long[] {2 * MIB, 8 * MIB}, 1000, 8 * MIB, mib(4, 12)),
        new Situation("3x slower is not slow enough to lose its tail: split by rates instead",
            12 * MIB, 2, 2, new long[] {2 * MIB, 6 * MIB}, 1000, 6 * MIB, mib(4.5, 12)),
        new Situation("one that delivered nothing loses all of it once the thief's rate is known",
            16 * MIB, 2, 2, new long[] {0, 3 * MIB}, 300, 10 * MIB, mib(0, 16)),
        new Situation("one that delivered nothing, no rate known yet: halves before a second",
            16 * MIB, 2, 2, new long[] {0, 0}, 900, 0, mib(8, 16)),
        new Situation("silent for a second: all of it goes, whatever the rates",
            16 * MIB, 2, 2, new long[] {0, MIB}, 1000, 0, mib(0, 16)),
        new Situation("a tail its owner finishes in 0.2 s stays with it",
            16 * MIB, 1, 1, new long[] {14 * MIB}, 1400, 10 * MIB, null),
        new Situation("a remainder below two minimum pieces stays",
            4 * MIB, 1, 1, new long[] {(long) (2.5 * MIB)}, 2500, 2 * MIB, null),
        new Situation("a thief that would finish its piece after the owner takes nothing",
            16 * MIB, 1, 1, new long[] {12 * MIB}, 1200, 512 * KIB, null),
        new Situation("a young segment's rate is not trusted yet: halves",
            16 * MIB, 2, 2, new long[] {0, 0}, 100, 10 * MIB, mib(8, 16)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("situations")
  void decision(Situation s) {
    long[] now = {0};
    SegmentScheduler scheduler = new SegmentScheduler(
        List.of(ByteRange.ofHalfOpen(0, s.size() * s.pieces())), s.pieces(), MIN_SPLIT,
        () -> now[0]);
    List<Segment> owned = new ArrayList<>();
    for (int i = 0; i < s.handedOut(); i++) {
      owned.add(scheduler.tryAcquire(0));
    }
    for (int i = 0; i < s.handedOut(); i++) {
      write(scheduler, owned.get(i), s.written()[i]);
    }
    now[0] = s.nowMillis() * 1_000_000L;

    Segment got = scheduler.tryAcquire(s.thiefRate());

    if (s.expected() == null) {
      assertThat(got).as("nothing worth taking").isNull();
      return;
    }
    assertThat(got).as("something to take").isNotNull();
    assertThat(ByteRange.ofHalfOpen(got.pos, got.end)).isEqualTo(s.expected());
    // Every byte keeps exactly one writer: the victim's range now ends where the new one starts.
    for (Segment o : owned) {
      long[] b = scheduler.bounds(o);
      assertThat(b[1] <= got.pos || b[0] >= got.end).as("owner %s overlaps", o).isTrue();
    }
  }

  @Test
  void aSegmentTakenOverWhollyIsReportedToItsOwnerAndClaimsNothingMore() {
    long[] now = {0};
    SegmentScheduler scheduler = new SegmentScheduler(List.of(ByteRange.ofHalfOpen(0, 32 * MIB)),
        2, MIN_SPLIT, () -> now[0]);
    Segment silent = scheduler.tryAcquire(0);
    Segment busy = scheduler.tryAcquire(0);
    write(scheduler, busy, MIB);
    now[0] = SegmentScheduler.SILENT_NANOS;

    Segment thief = scheduler.tryAcquire(0);

    assertThat(thief.pos).isZero();
    assertThat(scheduler.takenOver(silent)).isTrue();
    assertThat(scheduler.claim(silent, 64 * KIB)).isZero();
    assertThat(scheduler.claim(thief, 64 * KIB)).isEqualTo(64 * KIB);
  }

  @Test
  void aStolenTailShortensTheOwnersNextClaim() {
    long[] now = {0};
    SegmentScheduler scheduler = new SegmentScheduler(List.of(ByteRange.ofHalfOpen(0, 24 * MIB)),
        2, MIN_SPLIT, () -> now[0]);
    Segment slow = scheduler.tryAcquire(0);
    Segment fast = scheduler.tryAcquire(0);
    write(scheduler, slow, 2 * MIB);
    write(scheduler, fast, 8 * MIB);
    now[0] = 1_000_000_000L;

    Segment thief = scheduler.tryAcquire(8 * MIB);

    assertThat(thief.pos).isEqualTo(4 * MIB);
    assertThat(scheduler.claim(slow, 4 * MIB)).isEqualTo(2 * MIB);
  }

  @Test
  void theRemainderOfAFailedSegmentIsHandedOutFirst() {
    long[] now = {0};
    SegmentScheduler scheduler = new SegmentScheduler(List.of(ByteRange.ofHalfOpen(0, 16 * MIB)),
        1, MIN_SPLIT, () -> now[0]);
    Segment s = scheduler.tryAcquire(0);
    write(scheduler, s, 3 * MIB);
    now[0] = 500_000_000L;

    scheduler.release(s);
    Segment again = scheduler.tryAcquire(0);

    assertThat(ByteRange.ofHalfOpen(again.pos, again.end)).isEqualTo(mib(3, 16));
    assertThat(scheduler.isComplete()).isFalse();
  }

  /** The owner's protocol: claim, (write), advance. */
  private static void write(SegmentScheduler scheduler, Segment s, long n) {
    if (n == 0) {
      return;
    }
    assertThat(scheduler.claim(s, n)).isEqualTo(n);
    scheduler.advance(s, n);
  }
}
