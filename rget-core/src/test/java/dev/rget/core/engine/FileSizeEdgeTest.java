package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.complete;
import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.DownloadResult;
import dev.rget.core.http.EntityTag;
import dev.rget.core.http.Validators;
import dev.rget.core.range.RangeSet;
import dev.rget.core.state.BootId;
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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Lengths at the edges: empty, one byte, an exact multiple of the split, beyond 4 GiB. */
@Timeout(60)
class FileSizeEdgeTest {
  private static final int MIB = 1 << 20;
  private static final long GIB = 1L << 30;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  @Test
  void zeroLengthFileIsCreatedEmptyAfterOneRequest() throws Exception {
    server.put("/empty", Content.of(new byte[0]));
    Path out = dir.resolve("empty.bin");

    DownloadResult r = complete(server.url("/empty"), out, h.options().build());

    assertThat(out).exists().isEmptyFile();
    assertThat(r.length()).isZero();
    // The probe's range is unsatisfiable in an empty file: its 416 says "0 bytes", nothing else
    // is asked.
    assertThat(server.requests("/empty")).singleElement()
        .satisfies(q -> assertThat(q.status()).isEqualTo(416));
    assertThat(HostileDownloads.part(out)).doesNotExist();
    assertThat(HostileDownloads.state(out)).doesNotExist();
  }

  @Test
  void zeroLengthFileWithoutHeadIsCreatedEmpty() throws Exception {
    server.put("/empty", Resource.builder(Content.of(new byte[0])).headAllowed(false).build());
    Path out = dir.resolve("empty.bin");

    complete(server.url("/empty"), out, h.options().build());

    assertThat(out).exists().isEmptyFile();
  }

  @Test
  void oneByteFileIsFetchedWithOneRequestForThatByte() throws Exception {
    server.put("/one", Content.of(new byte[] {42}));
    Path out = dir.resolve("one.bin");

    complete(server.url("/one"), out, h.options().connections(8).build());

    assertThat(Files.readAllBytes(out)).containsExactly(42);
    // The probe asked for the first piece and got the whole (one-byte) file: one request.
    assertThat(server.requests("/one")).singleElement().satisfies(q -> {
      assertThat(q.method()).isEqualTo("GET");
      assertThat(q.status()).isEqualTo(206);
      assertThat(q.bodyBytes()).isEqualTo(1);
    });
  }

  @Test
  void lengthExactlyDivisibleBySplitSizeIsCoveredWithoutGapOrOverlap() throws Exception {
    Content c = Content.pseudoRandom(4L * MIB, 81);
    server.put("/f", c);
    Path out = dir.resolve("f.bin");

    complete(server.url("/f"), out, h.options().connections(4).minSplitSize(MIB).build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
    server.awaitIdle(Duration.ofSeconds(5));
    assertThat(server.requests("/f")).filteredOn(q -> q.header("Range").isPresent())
        .extracting(q -> q.header("Range").orElseThrow())
        .containsExactlyInAnyOrder("bytes=0-1048575", "bytes=1048576-2097151",
            "bytes=2097152-3145727", "bytes=3145728-4194303");
  }

  @Test
  void resumeBeyondFourGibWritesTheMissingRangesAtTheirExactOffsets() throws Exception {
    long length = 5 * GIB;
    Content c = Content.pseudoRandom(length, 82);
    Resource res = Resource.of(c);
    server.put("/big", res);
    Path out = dir.resolve("big.bin");
    URI url = server.url("/big");
    long holeStart = 4 * GIB + 1000;
    long holeEnd = 4 * GIB + 5000;
    long tailStart = length - 10;
    // A state claiming everything but [4 GiB + 1000, 4 GiB + 5000) and the last 10 bytes.
    RangeSet written = new RangeSet();
    written.add(0, holeStart);
    written.add(holeEnd, tailStart);
    Validators v = new Validators(length, EntityTag.parse(res.etag().orElseThrow()).orElseThrow(),
        res.lastModifiedHeader().orElseThrow());
    new StateStore(HostileDownloads.state(out)).save(
        new ResumeState(url, url, v, BootId.current(), written, written), true);
    try (RandomAccessFile f = new RandomAccessFile(HostileDownloads.part(out).toFile(), "rw")) {
      f.setLength(length); // sparse: no 5 GiB of disk needed
    }

    DownloadResult r = complete(url, out, h.options().build());

    assertThat(r.length()).isEqualTo(length);
    assertThat(r.bytesFetched()).isEqualTo(4010);
    assertThat(Files.size(out)).isEqualTo(length);
    assertThat(server.requests("/big")).filteredOn(q -> q.method().equals("GET"))
        .extracting(q -> q.header("Range").orElseThrow())
        .containsExactlyInAnyOrder("bytes=0-0", "bytes=" + holeStart + "-" + (holeEnd - 1),
            "bytes=" + tailStart + "-" + (length - 1));
    assertThat(read(out, holeStart, 4000)).isEqualTo(c.bytes(holeStart, 4000));
    assertThat(read(out, tailStart, 10)).isEqualTo(c.bytes(tailStart, 10));
    // The neighbours of the hole were not touched: still the zeros of the sparse file.
    assertThat(read(out, holeStart - 16, 16)).containsOnly(0);
    assertThat(read(out, holeEnd, 16)).containsOnly(0);
    List<RequestRecord> gets = server.requests("/big").stream()
        .filter(q -> q.method().equals("GET")).toList();
    assertThat(gets).allSatisfy(q -> assertThat(q.complete()).isTrue());
  }

  private static byte[] read(Path file, long offset, int len) throws Exception {
    byte[] b = new byte[len];
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      f.seek(offset);
      f.readFully(b);
    }
    return b;
  }
}
