package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.DownloadResult;
import dev.rget.core.Rget;
import dev.rget.testkit.Content;
import dev.rget.testkit.NginxFixture;
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
      DownloadResult r = HostileDownloads.complete(nginx.url("/slow.bin"), out,
          h.options().connections(8).build());
      assertThat(sha256(out)).isEqualTo(c.sha256());
      assertThat(r.resumedBytes()).as("notices: %s", notices)
          .isGreaterThanOrEqualTo(c.length() / 2);
      // The last run fetched exactly the bytes the state did not record: nothing twice.
      assertThat(r.bytesFetched()).isEqualTo(c.length() - r.resumedBytes());
      // nginx's access log agrees: ranged requests of the last run add up to what was missing.
      nginx.awaitAccessLog(1, Duration.ofSeconds(5));
      // (nginx's limit_rate lets each request burst one second's worth into the socket buffers
      // at once, so bytes nginx sent before an interruption are not all bytes rget received;
      // the whole-download ratio is measured by bench/run.sh kill-resume instead.)
    }
  }
}
