package dev.rget.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.http.Validators;
import dev.rget.core.range.ByteRange;
import dev.rget.core.range.RangeSet;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a resume keeps of a recorded state: the trusted ranges, cut at the part file and the length. */
class ResumeStateTest {
  private static RangeSet ranges(long... bounds) {
    RangeSet s = new RangeSet();
    for (int i = 0; i < bounds.length; i += 2) {
      s.add(bounds[i], bounds[i + 1]);
    }
    return s;
  }

  private record Row(String bootNow, long partSize, List<ByteRange> kept) {}

  @Test
  void keptIsTheTrustedRangesCutAtThePartFileAndTheLength() {
    URI u = URI.create("http://h/f");
    ResumeState st = new ResumeState(u, u, new Validators(1000, null, null), "boot-1",
        ranges(0, 100, 400, 1200), ranges(0, 50));
    List<Row> table = List.of(
        new Row("boot-1", 1000, List.of(ByteRange.ofHalfOpen(0, 100), ByteRange.ofHalfOpen(400, 1000))),
        new Row("boot-1", 2000, List.of(ByteRange.ofHalfOpen(0, 100), ByteRange.ofHalfOpen(400, 1000))),
        new Row("boot-1", 450, List.of(ByteRange.ofHalfOpen(0, 100), ByteRange.ofHalfOpen(400, 450))),
        new Row("boot-1", 0, List.of()),
        new Row("boot-2", 1000, List.of(ByteRange.ofHalfOpen(0, 50))),    // after a reboot: forced bytes only
        new Row("unknown", 1000, List.of(ByteRange.ofHalfOpen(0, 50))));
    for (Row row : table) {
      assertThat(st.kept(row.bootNow(), row.partSize()).ranges()).as("%s", row).isEqualTo(row.kept());
    }
    assertThat(st.written()).isEqualTo(ranges(0, 100, 400, 1200)); // kept() leaves the state as it was
  }
}
