package dev.rget.core.engine;

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
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote file changes under a download, or offers weak or no validators: the result is one
 * consistent version, never a splice, and the notices say when a resume cannot be checked.
 */
@Timeout(60)
class RemoteVersionTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  /** Two versions of one file: same length, different bytes, ETag and Last-Modified. */
  private Resource[] twoVersions(long length) {
    Instant t = Instant.parse("2025-01-01T00:00:00Z");
    Resource v1 = Resource.builder(Content.pseudoRandom(length, 51)).etag("v1").lastModified(t)
        .rateLimit(MIB).build();
    Resource v2 = Resource.builder(Content.pseudoRandom(length, 52)).etag("v2")
        .lastModified(t.plusSeconds(60)).rateLimit(MIB).build();
    return new Resource[] {v1, v2};
  }

  @Test
  void fileReplacedDuringTheDownloadEndsAsTheNewVersionEntirely() throws Exception {
    Resource[] v = twoVersions(4L * MIB);
    server.put("/f", v[0]);
    // Connections end every 256 KiB, so new requests keep going out after the swap.
    server.faults().dropAfter(256 * 1024);
    Path out = dir.resolve("f.bin");
    Download d = Rget.download(server.url("/f"), out, h.options().retries(6).build());
    HostileDownloads.awaitCondition(() -> d.progress().doneBytes() > MIB,
        HostileDownloads.LIMIT);
    server.put("/f", v[1]);

    DownloadResult r = HostileDownloads.await(d);

    assertThat(sha256(out)).isEqualTo(v[1].content().sha256());
    assertThat(r.length()).isEqualTo(4L * MIB);
    assertThat(h.notices).anyMatch(n -> n.contains("changed") && n.contains("starting over"));
  }

  @Test
  void fileReplacedDuringTheDownloadWithFailIfChangedStopsWithRemoteChanged() throws Exception {
    Resource[] v = twoVersions(4L * MIB);
    server.put("/f", v[0]);
    server.faults().dropAfter(256 * 1024);
    Path out = dir.resolve("f.bin");
    Download d = Rget.download(server.url("/f"), out,
        h.options().retries(6).failIfChanged(true).build());
    HostileDownloads.awaitCondition(() -> d.progress().doneBytes() > MIB,
        HostileDownloads.LIMIT);
    server.put("/f", v[1]);

    DownloadException e = HostileDownloads.awaitFailure(d);

    assertThat(e.kind()).isEqualTo(FailureKind.REMOTE_CHANGED);
    assertThat(e.kind().exitCode()).isEqualTo(7);
    assertThat(e.getMessage()).contains("changed").contains("--fail-if-changed");
    assertThat(out).doesNotExist();
    assertThat(HostileDownloads.part(out)).exists();
    assertThat(HostileDownloads.state(out)).exists();
  }

  @Test
  void onlyAWeakEtagStillResumesAndSaysHowTheResumeIsChecked() throws Exception {
    Content c = Content.pseudoRandom(3L * MIB, 53);
    Resource weak = Resource.builder(c).weakEtag("w1").noLastModified().build();
    assertResumes(weak, c);
    // No If-Range is possible with a weak tag: every part is compared with the tag instead.
    assertThat(server.requests("/f")).noneMatch(q -> q.header("If-Range").isPresent());
    assertThat(h.notices).anyMatch(n -> n.contains("weak ETag"));
  }

  @Test
  void onlyLastModifiedResumesWithIfRangeOnTheDate() throws Exception {
    Content c = Content.pseudoRandom(3L * MIB, 54);
    Resource lm = Resource.builder(c).noEtag().lastModified(Instant.parse("2024-05-05T10:00:00Z"))
        .build();
    assertResumes(lm, c);
    // Every ranged request but the probes (the only ones that start at byte 0: a probe asks
    // before anything is known, so it has nothing to send in If-Range) names the date.
    assertThat(server.requests("/f"))
        .filteredOn(q -> q.header("Range").filter(v -> !v.startsWith("bytes=0-")).isPresent())
        .isNotEmpty()
        .allSatisfy(q -> assertThat(q.header("If-Range")).contains(lm.lastModifiedHeader()
            .orElseThrow()));
    assertThat(h.notices).noneMatch(n -> n.contains("cannot tell"));
  }

  @Test
  void aWeakEtagWithAnOldLastModifiedSendsNoIfRangeAtAll() throws Exception {
    Content c = Content.pseudoRandom(3L * MIB, 56);
    Resource weak = Resource.builder(c).weakEtag("w2")
        .lastModified(Instant.parse("2024-05-05T10:00:00Z")).build();
    assertResumes(weak, c);
    // RFC 9110 section 13.1.5: a client that has an entity tag, even a weak one, must not send a
    // date in If-Range; every part is compared with the recorded validators instead.
    assertThat(server.requests("/f")).noneMatch(q -> q.header("If-Range").isPresent());
    assertThat(h.notices).anyMatch(n -> n.contains("weak ETag"));
  }

  @Test
  void aLastModifiedNotASecondOlderThanTheServersDateIsNotSentInIfRange() throws Exception {
    Content c = Content.pseudoRandom(3L * MIB, 57);
    // Dated after the server's clock (Date is now): not a strong validator, however long the
    // test takes, so the server could not tell two versions of that second apart.
    Resource fresh = Resource.builder(c).noEtag()
        .lastModified(Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS)).build();
    assertResumes(fresh, c);
    assertThat(server.requests("/f")).noneMatch(q -> q.header("If-Range").isPresent());
    assertThat(h.notices).anyMatch(n -> n.contains("no strong validator for If-Range"));
  }

  @Test
  void noValidatorAtAllStillResumesButSaysTheResumeCannotBeChecked() throws Exception {
    Content c = Content.pseudoRandom(3L * MIB, 55);
    Resource none = Resource.builder(c).noEtag().noLastModified().build();
    assertResumes(none, c);
    assertThat(h.notices).anyMatch(n -> n.contains("no ETag or Last-Modified")
        && n.contains("cannot tell whether the remote file changed"));
  }

  /** Interrupts a download of {@code r} part-way, runs it again, checks the second run resumed. */
  private void assertResumes(Resource r, Content c) throws Exception {
    server.put("/f", r.toBuilder().rateLimit(MIB).build());
    Path out = dir.resolve("f.bin");
    Download first = Rget.download(server.url("/f"), out, h.options().build());
    HostileDownloads.cancelWhen(first, () -> first.progress().doneBytes() > MIB);
    assertThat(HostileDownloads.part(out)).exists();
    server.put("/f", r);

    DownloadResult second = HostileDownloads.complete(server.url("/f"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
    assertThat(second.resumedBytes()).isGreaterThan(MIB);
    assertThat(second.bytesFetched()).isEqualTo(c.length() - second.resumedBytes());
  }
}
