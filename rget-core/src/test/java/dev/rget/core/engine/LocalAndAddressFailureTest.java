package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.failure;
import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.core.DownloadException;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures on this side: a full disk, an output place that cannot be written, and URLs that
 * cannot be fetched. Each is one clear error of its own kind, and nothing false is left behind.
 *
 * <p>The disk is really full and the directory really read-only: both are small tmpfs mounts
 * (this needs root, as on the development machines and CI; elsewhere those two tests are skipped
 * with a note). Root ignores permission bits, so a chmod-ed directory would not do.
 */
@Timeout(60)
class LocalAndAddressFailureTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  @Test
  void diskFullIsALocalErrorThatKeepsTheStateAndALaterRunResumes() throws Exception {
    Content c = Content.pseudoRandom(4L * MIB, 71);
    // Paced so that the disk fills up over about a second, as it would at network speed.
    server.put("/f", Resource.builder(c).rateLimit(MIB).build());
    try (TmpfsMount disk = TmpfsMount.create(dir.resolve("disk"), "size=2m")) {
      Path out = disk.path().resolve("f.bin");

      DownloadException e = failure(server.url("/f"), out, h.options().connections(2).build());

      assertThat(e.kind()).isEqualTo(FailureKind.LOCAL_IO);
      assertThat(e.kind().exitCode()).isEqualTo(5);
      assertThat(e.getMessage()).contains("No space left on device");
      assertThat(out).doesNotExist();
      assertThat(HostileDownloads.part(out)).exists();
      long recorded = HostileDownloads.writtenRanges(out).stream()
          .mapToLong(r -> r.length()).sum();
      assertThat(recorded).as("bytes the saved state vouches for").isGreaterThan(MIB);

      disk.remount("size=16m");
      // The first run's responses are all over before the second run is counted.
      assertThat(server.awaitIdle(Duration.ofSeconds(5))).isTrue();
      server.resetCounters();
      DownloadResult r = HostileDownloads.complete(server.url("/f"), out, h.options().build());

      assertThat(sha256(out)).isEqualTo(c.sha256());
      assertThat(r.resumedBytes()).isEqualTo(recorded);
      assertThat(server.bytesSent()).isLessThan(c.length() - recorded + 256 * 1024);
    }
  }

  @Test
  void readOnlyOutputDirectoryIsALocalErrorBeforeAnyDataIsFetched() throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 72));
    try (TmpfsMount ro = TmpfsMount.create(dir.resolve("ro"), "ro,size=1m")) {
      Path out = ro.path().resolve("f.bin");

      DownloadException e = failure(server.url("/f"), out, h.options().build());

      assertThat(e.kind()).isEqualTo(FailureKind.LOCAL_IO);
      assertThat(e.getMessage()).contains("not writable");
      assertThat(server.requests("/f")).noneMatch(q -> q.method().equals("GET"));
    }
  }

  @Test
  void outputDirectoryThatIsARegularFileIsALocalError() throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 73));
    Path notADir = Files.writeString(dir.resolve("plain.txt"), "x");

    DownloadException e = failure(server.url("/f"), notADir.resolve("f.bin"),
        h.options().build());

    assertThat(e.kind()).isEqualTo(FailureKind.LOCAL_IO);
    assertThat(e.getMessage()).contains("not a directory");
    assertThat(Files.readString(notADir)).isEqualTo("x");
  }

  @Test
  void outputPathThatIsADirectoryIsALocalErrorAndTheDirectoryIsUntouched() throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 74));
    Path out = Files.createDirectory(dir.resolve("taken"));

    DownloadException e = failure(server.url("/f"), out, h.options().build());

    assertThat(e.kind()).isEqualTo(FailureKind.LOCAL_IO);
    assertThat(e.getMessage()).contains("is a directory");
    assertThat(out).isEmptyDirectory();
  }

  @Test
  void malformedUrlIsAUsageError() {
    assertThatThrownBy(() -> Rget.parseUrl("http://exa mple.org/f"))
        .isInstanceOfSatisfying(DownloadException.class, e -> {
          assertThat(e.kind()).isEqualTo(FailureKind.USAGE);
          assertThat(e.getMessage()).contains("malformed URL");
        });
  }

  @Test
  void unsupportedSchemeIsAUsageErrorWithoutAnyConnection() throws Exception {
    assertThatThrownBy(() -> Rget.parseUrl("ftp://127.0.0.1/f"))
        .isInstanceOfSatisfying(DownloadException.class,
            e -> assertThat(e.kind()).isEqualTo(FailureKind.USAGE));
    Path out = dir.resolve("f.bin");

    DownloadException e = failure(URI.create("ftp://127.0.0.1:" + server.port() + "/f"), out,
        h.options().build());

    assertThat(e.kind()).isEqualTo(FailureKind.USAGE);
    assertThat(e.getMessage()).contains("unsupported URL scheme 'ftp'");
    assertThat(server.connectionCount()).isZero();
  }

  @Test
  void unknownHostIsANetworkErrorThatIsNotRetried() throws Exception {
    Path out = dir.resolve("f.bin");
    long t0 = System.nanoTime();

    DownloadException e = failure(URI.create("http://no-such-host.invalid/f"), out,
        h.options().retries(5).build());

    assertThat(e.kind()).isEqualTo(FailureKind.NETWORK);
    assertThat(e.kind().exitCode()).isEqualTo(3);
    assertThat(e.getMessage()).contains("unknown host no-such-host.invalid");
    // Five retries with backoff would take several seconds.
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3000);
    assertThat(out).doesNotExist();
  }

  @Test
  void connectionRefusedIsANetworkErrorAfterTheRetries() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      closedPort = s.getLocalPort();
    }
    Path out = dir.resolve("f.bin");

    DownloadException e = failure(URI.create("http://127.0.0.1:" + closedPort + "/f"), out,
        h.options().retries(1).build());

    assertThat(e.kind()).isEqualTo(FailureKind.NETWORK);
    assertThat(e.getMessage()).contains("refused").contains("2 attempts");
    assertThat(out).doesNotExist();
    assertThat(HostileDownloads.part(out)).doesNotExist();
  }
}
