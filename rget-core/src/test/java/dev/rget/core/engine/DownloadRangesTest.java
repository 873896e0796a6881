package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.Rget;
import dev.rget.core.range.ByteRange;
import dev.rget.core.range.RangeSet;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link Download#ranges()}: what is written and what connections are fetching, read while it runs. */
@Timeout(60)
class DownloadRangesTest {
  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  @Test
  void writtenAndInFlightRangesAreDisjointAndCoverTheRunningPartsOfTheFile() throws Exception {
    Content c = Content.pseudoRandom(4 << 20, 11);
    server.put("/r.bin", Resource.builder(c).rateLimit(512 << 10).build());
    Download d = Rget.download(server.url("/r.bin"), dir.resolve("r.bin"), h.options().build());
    HostileDownloads.awaitCondition(() -> d.ranges().inFlight().size() >= 2 && !d.ranges().written().isEmpty(),
        HostileDownloads.LIMIT);
    Download.Ranges r = d.ranges();
    RangeSet written = new RangeSet();
    r.written().forEach(written::add);
    for (ByteRange f : r.inFlight()) {
      assertThat(f.endExclusive()).isLessThanOrEqualTo(c.length());
      assertThat(written.intersection(set(f)).isEmpty()).as("in flight %s is not written yet", f).isTrue();
    }
    assertThat(r.inFlight()).isSorted();
    assertThat(written.size()).isLessThanOrEqualTo(d.progress().doneBytes() + (256 << 10));

    HostileDownloads.await(d);
    assertThat(d.ranges().written()).containsExactly(ByteRange.ofHalfOpen(0, c.length()));
    assertThat(d.ranges().inFlight()).as("no phase runs after the end").isEmpty();
  }

  private static RangeSet set(ByteRange r) {
    RangeSet s = new RangeSet();
    s.add(r);
    return s;
  }

  @Test
  void theDefaultViewIsEmpty() {
    Download none = new Download() {
      @Override
      public java.util.concurrent.CompletableFuture<dev.rget.core.DownloadResult> result() {
        return new java.util.concurrent.CompletableFuture<>();
      }

      @Override
      public dev.rget.core.Progress progress() {
        return null;
      }

      @Override
      public void cancel() {}
    };
    assertThat(none.ranges()).isEqualTo(new Download.Ranges(List.of(), List.of()));
  }
}
