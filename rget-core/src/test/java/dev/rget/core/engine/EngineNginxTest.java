package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.DownloadResult;
import dev.rget.core.Rget;
import dev.rget.core.range.RangeHeader;
import dev.rget.core.range.RangeSet;
import dev.rget.testkit.Content;
import dev.rget.testkit.NginxFixture;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine against a real third-party server: nginx (skipped where nginx is absent). */
class EngineNginxTest {
  private static final int MIB = 1 << 20;
  @TempDir Path dir;
  private final HostileDownloads h = new HostileDownloads();

  @BeforeAll
  static void needNginx() {
    Assumptions.assumeTrue(NginxFixture.available(),
        "nginx not installed (.ci/run installs it): " + NginxFixture.unavailableReason());
  }

  @Test
  void downloadsFromNginxByteExact() throws Exception {
    Path www = Files.createDirectories(dir.resolve("www"));
    Content c = Content.pseudoRandom(48L * MIB + 999, 21);
    c.writeTo(www.resolve("big.bin"));
    try (NginxFixture nginx = NginxFixture.start(www)) {
      Path out = dir.resolve("big.bin");
      DownloadResult r = HostileDownloads.complete(nginx.url("/big.bin"), out,
          h.options().connections(16).build());
      assertThat(r.length()).isEqualTo(c.length());
      assertThat(sha256(out)).isEqualTo(c.sha256());
    }
  }

  @Test
  void throttledNginxDownloadResumesAfterInterruptionsWithoutRefetchingRecordedBytes()
      throws Exception {
    Path www = Files.createDirectories(dir.resolve("www"));
    Content c = Content.pseudoRandom(24L * MIB, 22);
    c.writeTo(www.resolve("slow.bin"));
    // nginx lets each request send one second's worth at once, so the rate is kept low enough
    // that every round still has most of its bytes ahead of it when it is interrupted.
    try (NginxFixture nginx = NginxFixture.builder(www).limitRate(MIB / 2).start()) {
      Path out = dir.resolve("slow.bin");
      List<String> notices = h.notices;
      for (int round = 1; round <= 2; round++) {
        Download d = Rget.download(nginx.url("/slow.bin"), out,
            h.options().connections(8).build());
        long goal = c.length() * round / 4;
        HostileDownloads.cancelWhen(d, () -> d.progress().doneBytes() >= goal);
        assertThat(out).as("round %d was interrupted before the end", round).doesNotExist();
      }
      RangeSet held = new RangeSet();
      HostileDownloads.writtenRanges(out).forEach(held::add);
      // nginx numbers connections in order: every connection of the last run comes after the
      // marker's, every one of the interrupted rounds before it.
      long marker = markerConnection(nginx);
      DownloadResult r = HostileDownloads.complete(nginx.url("/slow.bin"), out,
          h.options().connections(8).build());
      assertThat(sha256(out)).isEqualTo(c.sha256());
      assertThat(r.resumedBytes()).as("notices: %s", notices)
          .isGreaterThanOrEqualTo(c.length() / 2).isEqualTo(held.size());
      // The last run fetched exactly the bytes the state did not record: nothing twice.
      assertThat(r.bytesFetched()).isEqualTo(c.length() - r.resumedBytes());
      // nginx's access log agrees: the ranged requests of the last run ask for every missing
      // byte and for no recorded one (but the probe's first byte). Bytes nginx sent are not
      // compared: limit_rate lets each request burst one second's worth into the socket
      // buffers at once, more than rget reads of a request whose tail another connection took.
      // (nginx writes a line when it has finished a request, a moment after rget has read it.)
      HostileDownloads.awaitCondition(() -> covered(lastRun(nginx, marker), held, c.length()),
          Duration.ofSeconds(10));
      List<NginxFixture.AccessLogEntry> log = lastRun(nginx, marker);
      RangeSet asked = asked(log, c.length());
      for (NginxFixture.AccessLogEntry e : log) {
        assertThat(e.method()).isEqualTo("GET");
        assertThat(e.status()).as("every request of the resume is ranged: %s", e).isEqualTo(206);
        if (!"bytes=0-0".equals(e.range())) {
          // (The probe learns the version; every request after it names it.)
          assertThat(e.ifRange()).as("every request names the version: %s", e).isNotNull();
        }
      }
      RangeSet askedAgain = asked.intersection(held);
      askedAgain.remove(0, 1);
      assertThat(askedAgain.ranges()).as("recorded bytes asked for again").isEmpty();
      RangeSet all = asked.copy();
      all.addAll(held);
      assertThat(all.containsAll(0, c.length())).as("asked %s, held %s", asked, held).isTrue();
    }
  }

  /** Requests a file of its own and returns the number nginx gave its connection. */
  private static long markerConnection(NginxFixture nginx) throws Exception {
    Files.writeString(nginx.root().resolve("marker.txt"), "marker");
    HttpURLConnection c = (HttpURLConnection) nginx.url("/marker.txt").toURL().openConnection();
    try (InputStream in = c.getInputStream()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("marker");
    } finally {
      c.disconnect();
    }
    HostileDownloads.awaitCondition(() -> nginx.accessLog().stream()
        .anyMatch(e -> e.uri().equals("/marker.txt")), Duration.ofSeconds(5));
    return nginx.accessLog().stream().filter(e -> e.uri().equals("/marker.txt"))
        .mapToLong(NginxFixture.AccessLogEntry::connection).max().orElseThrow();
  }

  /** The log lines of requests on connections opened after the marker's. */
  private static List<NginxFixture.AccessLogEntry> lastRun(NginxFixture nginx, long marker) {
    return nginx.accessLog().stream().filter(e -> e.connection() > marker).toList();
  }

  /** The union of the byte ranges {@code log}'s requests asked for. */
  private static RangeSet asked(List<NginxFixture.AccessLogEntry> log, long length) {
    RangeSet asked = new RangeSet();
    for (NginxFixture.AccessLogEntry e : log) {
      if (e.range() != null) {
        RangeHeader.parse(e.range(), 1).flatMap(specs -> specs.get(0).resolve(length))
            .ifPresent(asked::add);
      }
    }
    return asked;
  }

  private static boolean covered(List<NginxFixture.AccessLogEntry> log, RangeSet held,
      long length) {
    RangeSet all = asked(log, length);
    all.addAll(held);
    return all.containsAll(0, length);
  }
}
