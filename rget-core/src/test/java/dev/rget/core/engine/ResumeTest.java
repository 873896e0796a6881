package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Checksum;
import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.core.http.EntityTag;
import dev.rget.core.http.Validators;
import dev.rget.core.range.RangeSet;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.RequestRecord;
import dev.rget.testkit.Resource;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parallel download, interruption and resume against a real HTTP server on loopback. */
class ResumeTest {
  private static final int MIB = 1 << 20;
  @TempDir Path dir;
  private final HostileDownloads h = new HostileDownloads();
  @AutoClose private final FaultServer server = FaultServer.open();

  private Path out() {
    return dir.resolve("file.bin");
  }

  private Path part() {
    return dir.resolve("file.bin.part");
  }

  private Path state() {
    return dir.resolve("file.bin.rget");
  }

  @Test
  void parallelDownloadIsByteExactAndLeavesNoSidecars() throws Exception {
    Content c = Content.pseudoRandom(8L * MIB + 12345, 1);
    server.put("/f", c);
    List<String> notices = h.notices;
    DownloadResult r = HostileDownloads.complete(server.url("/f"), out(),
        h.options().connections(8).build());
    assertThat(sha256(out())).isEqualTo(c.sha256());
    assertThat(r.length()).isEqualTo(c.length());
    assertThat(part()).doesNotExist();
    assertThat(state()).doesNotExist();
    server.awaitIdle(Duration.ofSeconds(5));
    long rangedConnections = server.requests("/f").stream()
        .filter(q -> q.header("Range").isPresent()).map(RequestRecord::connection).distinct().count();
    assertThat(rangedConnections).isGreaterThanOrEqualTo(4);
    assertThat(server.requests("/f")).allSatisfy(q -> {
      assertThat(q.method()).isEqualTo("GET");
      assertThat(q.header("Accept-Encoding")).contains("identity");
    });
    // The probe (the only request that starts at byte 0) knows no validator yet; every other
    // ranged request carries If-Range.
    assertThat(server.requests("/f"))
        .filteredOn(q -> q.header("Range").filter(v -> !v.startsWith("bytes=0-")).isPresent())
        .isNotEmpty().allSatisfy(q -> assertThat(q.header("If-Range")).isPresent());
  }

  @Test
  void interruptedDownloadResumesWithoutRefetching() throws Exception {
    Content c = Content.pseudoRandom(16L * MIB, 2);
    server.put("/f", Resource.builder(c).rateLimit(2L * MIB).build());
    List<String> notices = h.notices;
    Download first = Rget.download(server.url("/f"), out(),
        h.options().connections(8).build());
    HostileDownloads.cancelWhen(first, () -> first.progress().doneBytes() > c.length() * 3 / 10);
    assertThat(out()).doesNotExist();
    assertThat(part()).exists();
    long recorded = new StateStore(state()).load().written().size();
    assertThat(recorded).isGreaterThan(c.length() * 3 / 10);

    DownloadResult r = HostileDownloads.complete(server.url("/f"), out(),
        h.options().connections(8).build());
    assertThat(sha256(out())).isEqualTo(c.sha256());
    assertThat(r.resumedBytes()).isEqualTo(recorded);
    assertThat(r.bytesFetched()).isEqualTo(c.length() - recorded);
    server.awaitIdle(Duration.ofSeconds(5));
    assertThat(server.bytesSent()).isLessThanOrEqualTo((long) (c.length() * 1.1));
    assertThat(notices).anyMatch(n -> n.startsWith("resuming"));
  }

  @Test
  void remoteChangedBetweenRunsStartsOverAndNeverSplices() throws Exception {
    Content v1 = Content.pseudoRandom(4L * MIB, 3);
    Content v2 = Content.pseudoRandom(4L * MIB, 4);
    server.put("/f", Resource.builder(v1).etag("v1").rateLimit(MIB).build());
    List<String> notices = h.notices;
    Download first = Rget.download(server.url("/f"), out(),
        h.options().connections(4).build());
    HostileDownloads.cancelWhen(first, () -> first.progress().doneBytes() > MIB);
    server.put("/f", Resource.builder(v2).etag("v2").build());
    HostileDownloads.complete(server.url("/f"), out(), h.options().build());
    assertThat(sha256(out())).isEqualTo(v2.sha256());
    assertThat(notices).anyMatch(n -> n.contains("changed") && n.contains("starting over"));
  }

  @Test
  void remoteChangedWithFailIfChangedStopsWithItsOwnKind() throws Exception {
    Content v1 = Content.pseudoRandom(4L * MIB, 5);
    server.put("/f", Resource.builder(v1).etag("v1").rateLimit(MIB).build());
    List<String> notices = h.notices;
    Download first = Rget.download(server.url("/f"), out(),
        h.options().connections(4).build());
    HostileDownloads.cancelWhen(first, () -> first.progress().doneBytes() > MIB);
    server.put("/f", Resource.builder(Content.pseudoRandom(4L * MIB, 6)).etag("v2").build());
    assertThat(HostileDownloads.failure(server.url("/f"), out(),
        h.options().failIfChanged(true).build()).kind())
        .isEqualTo(FailureKind.REMOTE_CHANGED);
    assertThat(out()).doesNotExist();
    assertThat(part()).exists();
  }

  @Test
  void partFileWithoutStateIsNotTrusted() throws Exception {
    Content c = Content.pseudoRandom(2L * MIB, 7);
    server.put("/f", c);
    Files.write(part(), new byte[(int) c.length()]);
    List<String> notices = h.notices;
    DownloadResult r = HostileDownloads.complete(server.url("/f"), out(), h.options().build());
    assertThat(sha256(out())).isEqualTo(c.sha256());
    assertThat(r.resumedBytes()).isZero();
    assertThat(notices).anyMatch(n -> n.contains("cannot be trusted"));
  }

  @Test
  void afterARebootOnlyBytesForcedToDiskAreKept() throws Exception {
    Content c = Content.pseudoRandom(4L * MIB, 8);
    server.put("/f", Resource.builder(c).etag("e").build());
    long half = c.length() / 2;
    // The part file holds the real first half, and zeros where unsynced data was lost.
    try (RandomAccessFile f = new RandomAccessFile(part().toFile(), "rw")) {
      f.write(c.bytes(0, (int) half));
      f.setLength(c.length());
    }
    RangeSet written = new RangeSet();
    written.add(0, c.length());
    RangeSet durable = new RangeSet();
    durable.add(0, half);
    URI uri = server.url("/f");
    String lastModified = server.resource("/f").lastModifiedHeader().orElseThrow();
    new StateStore(state()).save(new ResumeState(uri, uri,
        new Validators(c.length(), EntityTag.strong("e"), lastModified), "a-previous-boot",
        written, durable), true);
    List<String> notices = h.notices;
    DownloadResult r = HostileDownloads.complete(uri, out(), h.options().build());
    assertThat(sha256(out())).isEqualTo(c.sha256());
    assertThat(r.resumedBytes()).isEqualTo(half);
    assertThat(notices).anyMatch(n -> n.contains("system restarted"));
  }

  @Test
  void wholeFileAlreadyHereFinishesWithoutFetching() throws Exception {
    Content c = Content.pseudoRandom(MIB, 9);
    server.put("/f", Resource.builder(c).etag("e").build());
    c.writeTo(part());
    RangeSet all = new RangeSet();
    all.add(0, c.length());
    URI uri = server.url("/f");
    String lastModified = server.resource("/f").lastModifiedHeader().orElseThrow();
    new StateStore(state()).save(new ResumeState(uri, uri,
        new Validators(c.length(), EntityTag.strong("e"), lastModified), "x", all, all), true);
    DownloadResult r = HostileDownloads.complete(uri, out(), h.options().build());
    assertThat(r.bytesFetched()).isZero();
    assertThat(sha256(out())).isEqualTo(c.sha256());
  }

  @Test
  void checksumMismatchLeavesNothingAtTheOutputPath() throws Exception {
    Content c = Content.pseudoRandom(MIB, 10);
    server.put("/f", c);
    Checksum wrong = Checksum.parse("sha-256=" + "0".repeat(64));
    assertThat(HostileDownloads.failure(server.url("/f"), out(),
        h.options().checksum(wrong).build()).kind())
        .isEqualTo(FailureKind.CHECKSUM_MISMATCH);
    assertThat(out()).doesNotExist();
    HostileDownloads.complete(server.url("/f"), out(), h.options()
        .checksum(Checksum.parse("sha256=" + c.sha256())).build());
    assertThat(sha256(out())).isEqualTo(c.sha256());
  }

  @Test
  void serverWithoutRangesDownloadsAsOneStream() throws Exception {
    Content c = Content.pseudoRandom(3L * MIB, 11);
    server.put("/none", Resource.builder(c).acceptRanges(Resource.AcceptRanges.NONE)
        .rangeSupport(Resource.RangeSupport.IGNORE).build());
    server.put("/silent", Resource.builder(c).acceptRanges(Resource.AcceptRanges.ABSENT)
        .rangeSupport(Resource.RangeSupport.IGNORE).build());
    List<String> notices = h.notices;
    HostileDownloads.complete(server.url("/none"), out(), h.options().build());
    assertThat(sha256(out())).isEqualTo(c.sha256());
    Path other = dir.resolve("other.bin");
    HostileDownloads.complete(server.url("/silent"), other, h.options().build());
    assertThat(sha256(other)).isEqualTo(c.sha256());
    assertThat(notices).anyMatch(n -> n.contains("single stream"));
  }

  @Test
  void serverThatDoesRangesWithoutSayingSoStillGetsParallelRequests() throws Exception {
    Content c = Content.pseudoRandom(4L * MIB, 12);
    server.put("/f", Resource.builder(c).acceptRanges(Resource.AcceptRanges.ABSENT).build());
    HostileDownloads.complete(server.url("/f"), out(),
        h.options().connections(4).build());
    assertThat(sha256(out())).isEqualTo(c.sha256());
    server.awaitIdle(Duration.ofSeconds(5));
    assertThat(server.requests("/f").stream().filter(q -> q.header("Range").isPresent())
        .map(RequestRecord::connection).distinct().count()).isGreaterThan(1);
  }

  @Test
  void chunkedBodyWithoutLengthDownloads() throws Exception {
    Content c = Content.pseudoRandom(MIB + 7, 13);
    server.put("/f", Resource.builder(c).chunked(true).acceptRanges(Resource.AcceptRanges.ABSENT)
        .rangeSupport(Resource.RangeSupport.IGNORE).build());
    DownloadResult r = HostileDownloads.complete(server.url("/f"), out(),
        h.options().build());
    assertThat(r.length()).isEqualTo(c.length());
    assertThat(sha256(out())).isEqualTo(c.sha256());
  }

  @Test
  void serverRefusingHeadIsNeverAskedWithHead() throws Exception {
    Content c = Content.pseudoRandom(2L * MIB, 14);
    server.put("/f", Resource.builder(c).headAllowed(false).build());
    HostileDownloads.complete(server.url("/f"), out(), h.options().build());
    assertThat(sha256(out())).isEqualTo(c.sha256());
    server.awaitIdle(Duration.ofSeconds(5));
    assertThat(server.requests("/f")).noneMatch(q -> q.method().equals("HEAD"));
  }

  @Test
  void existingOutputIsReplacedOnlyByACompleteDownload() throws Exception {
    Content c = Content.pseudoRandom(MIB, 15);
    server.put("/f", c);
    Files.writeString(out(), "an older file");
    HostileDownloads.complete(server.url("/f"), out(), h.options().build());
    assertThat(sha256(out())).isEqualTo(c.sha256());
    assertThat(h.notices).anyMatch(n -> n.contains("already exists"));
  }
}
