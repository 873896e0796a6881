package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.complete;
import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Redirects of every kind, relative ones, loops, and a resume after the redirect moved. */
@Timeout(60)
class RedirectTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void redirectIsFollowedAndRangesGoStraightToItsTarget(int status) throws Exception {
    Content c = Content.pseudoRandom(2L * MIB + 1, 61);
    server.put("/files/real.bin", c);
    server.redirect("/dl", status, server.url("/files/real.bin").toString());
    Path out = dir.resolve("f.bin");

    complete(server.url("/dl"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
    // The redirect is looked up once by the probe, not once per range.
    assertThat(server.requests("/dl")).hasSizeLessThanOrEqualTo(2);
    assertThat(server.requests("/files/real.bin")).anyMatch(q -> q.header("Range").isPresent());
  }

  @Test
  void relativeLocationIsResolvedAgainstTheRedirectingUrl() throws Exception {
    Content c = Content.pseudoRandom(MIB, 62);
    server.put("/a/b/target.bin", c);
    server.redirect("/a/b/c/start", 302, "../target.bin");
    Path out = dir.resolve("f.bin");

    complete(server.url("/a/b/c/start"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
  }

  @Test
  void redirectLoopEndsWithAClearErrorAfterABoundedNumberOfHops() throws Exception {
    server.redirect("/ping", 302, "/pong");
    server.redirect("/pong", 302, "/ping");
    Path out = dir.resolve("f.bin");

    DownloadException e = HostileDownloads.failure(server.url("/ping"), out, h.options().build());

    assertThat(e.kind()).isEqualTo(FailureKind.HTTP_STATUS);
    assertThat(e.getMessage()).contains("too many redirects");
    // The probe stopped after 11 requests (10 redirects).
    assertThat(server.requestCount()).isEqualTo(RequestSender.MAX_REDIRECTS + 1L);
    assertThat(out).doesNotExist();
  }

  @Test
  void resumeThroughARedirectNowPointingElsewhereToTheSameFileKeepsTheBytes() throws Exception {
    Content c = Content.pseudoRandom(3L * MIB, 63);
    Resource same = Resource.builder(c).etag("same").lastModified(Instant.parse(
        "2024-01-01T00:00:00Z")).build();
    server.put("/mirror1/f.bin", same.toBuilder().rateLimit(MIB).build());
    server.put("/mirror2/f.bin", same);
    server.redirect("/latest", 302, "/mirror1/f.bin");
    Path out = dir.resolve("f.bin");
    interruptAfterOneMib(out);
    server.redirect("/latest", 302, "/mirror2/f.bin");

    DownloadResult r = complete(server.url("/latest"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
    assertThat(r.resumedBytes()).isGreaterThan(MIB);
    assertThat(r.bytesFetched()).isEqualTo(c.length() - r.resumedBytes());
  }

  @Test
  void resumeThroughARedirectNowPointingToAnotherFileStartsOver() throws Exception {
    Content c1 = Content.pseudoRandom(3L * MIB, 64);
    Content c2 = Content.pseudoRandom(3L * MIB, 65);
    server.put("/v1/f.bin", Resource.builder(c1).etag("one").rateLimit(MIB).build());
    server.put("/v2/f.bin", Resource.builder(c2).etag("two").build());
    server.redirect("/latest", 302, "/v1/f.bin");
    Path out = dir.resolve("f.bin");
    interruptAfterOneMib(out);
    server.redirect("/latest", 302, "/v2/f.bin");

    DownloadResult r = complete(server.url("/latest"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c2.sha256());
    assertThat(r.resumedBytes()).isZero();
    assertThat(h.notices).anyMatch(n -> n.contains("changed") && n.contains("starting over"));
  }

  private void interruptAfterOneMib(Path out) throws Exception {
    Download first = Rget.download(server.url("/latest"), out, h.options().build());
    HostileDownloads.cancelWhen(first, () -> first.progress().doneBytes() > MIB);
    assertThat(HostileDownloads.state(out)).exists();
  }
}
