package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.complete;
import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.DownloadResult;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.RequestRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections that drop, reset, stall or crawl: the download still ends with the exact bytes,
 * and bytes already written are never fetched again.
 */
@Timeout(60)
class UnreliableConnectionTest {
  private static final int MIB = 1 << 20;
  private static final int KIB = 1 << 10;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  @Test
  void everyConnectionDroppedAfterAFewHundredKibStillGivesTheExactFile() throws Exception {
    Content c = Content.pseudoRandom(4L * MIB, 11);
    server.put("/f", c);
    server.faults().dropAfter(300 * KIB);
    Path out = dir.resolve("f.bin");

    DownloadResult r = complete(server.url("/f"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
    assertThat(r.length()).isEqualTo(c.length());
    // Each connection carried at most 300 KiB, so the file needed many; and since a retry asks
    // only for what is missing, the server sent little more than the file.
    assertThat(server.connectionCount()).isGreaterThanOrEqualTo(14);
    assertThat(server.bytesSent()).isLessThan(c.length() + c.length() / 10);
    assertThat(HostileDownloads.part(out)).doesNotExist();
    assertThat(HostileDownloads.state(out)).doesNotExist();
  }

  @Test
  void connectionResetInTheMiddleOfABodyIsRetriedFromWhereItStopped() throws Exception {
    Content c = Content.pseudoRandom(3L * MIB + 777, 12);
    server.put("/f", c);
    server.faults().resetAfter(700 * KIB);
    Path out = dir.resolve("f.bin");

    complete(server.url("/f"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
    server.awaitIdle(Duration.ofSeconds(5));
    List<RequestRecord> cut = server.requests("/f").stream().filter(q -> !q.complete()).toList();
    assertThat(cut).as("responses cut by a reset").isNotEmpty();
    // A reset may discard what sat unread in the socket buffer, but never what was written.
    assertThat(server.bytesSent()).isLessThan(c.length() + cut.size() * 512L * KIB);
  }

  @Test
  void stalledConnectionIsDroppedAfterTheStallTimeoutAndItsRangeRefetched() throws Exception {
    Content c = Content.pseudoRandom(4L * MIB, 13);
    server.put("/f", c);
    // Every 1 MiB segment pauses for a minute after 600 KiB; the re-requested 424 KiB remainder
    // is shorter than that, so each connection stalls once.
    long stallAt = 600 * KIB;
    server.faults().stallAfter(stallAt, Duration.ofMinutes(1));
    Path out = dir.resolve("f.bin");

    long t0 = System.nanoTime();
    complete(server.url("/f"), out, h.options().minSplitSize(MIB).build());
    long millis = (System.nanoTime() - t0) / 1_000_000;

    assertThat(sha256(out)).isEqualTo(c.sha256());
    // One stall timeout (1.5 s) plus a backoff, not the minute the server would have waited
    // (the bound leaves a loaded machine half of that minute).
    assertThat(millis).isLessThan(30_000);
    // The four first responses are still held by the server (a stalled response is logged only
    // when it ends); the client gave up on them and asked for the rest of each range again.
    assertThat(server.faults().stalledNow()).isEqualTo(4);
    List<RequestRecord> ranged = server.requests("/f").stream()
        .filter(q -> q.header("Range").isPresent()).toList();
    for (long segment = 0; segment < c.length(); segment += MIB) {
      long from = segment + stallAt;
      long to = segment + MIB;
      assertThat(ranged).as("re-request of the rest of the segment at %d", segment)
          .anyMatch(r -> rangeStart(r) >= from && rangeStart(r) < to);
    }
    assertThat(server.bytesSent()).isLessThan(c.length() + 64 * KIB);
  }

  private static long rangeStart(RequestRecord q) {
    String v = q.header("Range").orElseThrow();
    return Long.parseLong(v.substring("bytes=".length(), v.indexOf('-')));
  }

  @Test
  void slowConnectionDoesNotHoldUpTheEndOfTheDownload() throws Exception {
    Content c = Content.pseudoRandom(4L * MIB, 14);
    server.put("/f", c);
    // Connection 1 serves the probe and then the first segment; the other three segments open
    // connections 2-4 while it is still busy (8 MiB/s per connection keeps it so for 125 ms).
    // Connection 4 crawls at 32 KiB/s: alone, its 1 MiB segment would take 32 s.
    long slowRate = 32 * KIB;
    server.faults().rateLimit(8L * MIB).slowConnections(4, slowRate);
    Path out = dir.resolve("f.bin");

    long t0 = System.nanoTime();
    // A 1 MiB split size makes the four 1 MiB segments too small to split in halves: only the
    // slow-tail takeover can help.
    complete(server.url("/f"), out, h.options().minSplitSize(MIB).build());
    long millis = (System.nanoTime() - t0) / 1_000_000;

    assertThat(sha256(out)).isEqualTo(c.sha256());
    server.awaitIdle(Duration.ofSeconds(5));
    assertThat(server.requests("/f")).as("a segment started on the slow connection, cut short")
        .anyMatch(q -> q.connection() % 4 == 0 && q.header("Range").isPresent() && !q.complete());
    long slowAlone = MIB * 1000L / slowRate;
    // About a second here; half of what the slow connection alone needs leaves a loaded machine
    // a wide margin and still fails if nobody takes over its tail.
    assertThat(millis).as("elapsed ms; the slow connection alone needs %d ms", slowAlone)
        .isLessThan(slowAlone / 2);
    assertThat(server.bytesSent()).isLessThan(c.length() + MIB);
  }
}
