package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.http.EntityTag;
import dev.rget.core.http.Validators;
import dev.rget.core.range.RangeSet;
import dev.rget.core.state.BootId;
import dev.rget.core.state.ResumeState;
import dev.rget.core.state.StateStore;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One failure of each class through the real command line ({@code Main.run}, in-process, against
 * a real server on loopback): the documented exit code, and exactly one line on stderr that
 * names the cause, with no stack trace.
 */
@Timeout(60)
class ExitCodeTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private Path out;

  @BeforeEach
  void start() throws Exception {
    out = dir.resolve("f.bin");
  }

  /** Exit code and standard error of one in-process run. */
  private record Run(int code, String stderr) {
    /** The single line printed, after checking that there is exactly one and no trace. */
    String onlyLine() {
      List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
      assertThat(lines).as("stderr lines of: %s", stderr).hasSize(1);
      assertThat(lines.get(0)).startsWith("rget: ").doesNotContain("Exception");
      return lines.get(0);
    }
  }

  /** Runs {@code rget get ARGS -q} with short timeouts, capturing stderr. */
  private static Run rget(String... args) {
    List<String> all = new ArrayList<>(List.of("get"));
    all.addAll(List.of(args));
    all.addAll(List.of("-q", "--stall-timeout", "2s", "--connect-timeout", "2s"));
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(all.toArray(String[]::new));
      System.err.flush();
      return new Run(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  @Test
  void malformedUrlExitsWithUsageCode2() {
    Run r = rget("http://exa mple.org/f", "-o", out.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.onlyLine()).contains("malformed URL");
    assertThat(out).doesNotExist();
  }

  @Test
  void connectionRefusedExitsWithNetworkCode3() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      closedPort = s.getLocalPort();
    }

    Run r = rget("http://127.0.0.1:" + closedPort + "/f", "-o", out.toString(), "--retries", "0");

    assertThat(r.code()).isEqualTo(3);
    assertThat(r.onlyLine()).contains("refused");
    assertThat(out).doesNotExist();
  }

  @Test
  void notFoundExitsWithHttpStatusCode4() {
    Run r = rget(server.url("/missing").toString(), "-o", out.toString());

    assertThat(r.code()).isEqualTo(4);
    assertThat(r.onlyLine()).contains("HTTP 404 Not Found");
    assertThat(out).doesNotExist();
  }

  @Test
  void outputPathThatIsADirectoryExitsWithLocalIoCode5() throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 1));
    Path taken = Files.createDirectory(dir.resolve("taken"));

    Run r = rget(server.url("/f").toString(), "-o", taken.toString());

    assertThat(r.code()).isEqualTo(5);
    assertThat(r.onlyLine()).contains("is a directory");
    assertThat(taken).isEmptyDirectory();
  }

  @Test
  void checksumMismatchExitsWithCode6AndLeavesNothing() {
    server.put("/f", Content.pseudoRandom(MIB, 2));

    Run r = rget(server.url("/f").toString(), "-o", out.toString(), "--checksum",
        "sha-256=" + "0".repeat(64));

    assertThat(r.code()).isEqualTo(6);
    assertThat(r.onlyLine()).contains("mismatch");
    assertThat(out).doesNotExist();
    assertThat(dir.resolve("f.bin.part")).doesNotExist();
  }

  @Test
  void remoteChangedSincePartialDownloadWithFailIfChangedExitsWithCode7() throws Exception {
    Content c = Content.pseudoRandom(MIB, 3);
    server.put("/f", Resource.builder(c).etag("new").build());
    // A partial download of an older version: same URL and length, another ETag.
    URI url = server.url("/f");
    RangeSet half = new RangeSet();
    half.add(0, MIB / 2);
    new StateStore(dir.resolve("f.bin.rget")).save(new ResumeState(url, url,
        new Validators(MIB, new EntityTag("old", false), null), BootId.current(), half, half),
        true);
    Files.write(dir.resolve("f.bin.part"), new byte[MIB / 2]);

    Run r = rget(url.toString(), "-o", out.toString(), "--fail-if-changed");

    assertThat(r.code()).isEqualTo(7);
    assertThat(r.onlyLine()).contains("changed").contains("--fail-if-changed");
    assertThat(out).doesNotExist();
    assertThat(dir.resolve("f.bin.part")).exists();
    assertThat(dir.resolve("f.bin.rget")).exists();
  }

  @Test
  void serverLyingAboutContentRangeExitsWithProtocolCode8() {
    server.put("/f", Content.pseudoRandom(MIB, 4));
    server.faults().wrongContentRangeStart(512);

    Run r = rget(server.url("/f").toString(), "-o", out.toString(), "--retries", "1");

    assertThat(r.code()).isEqualTo(8);
    assertThat(r.onlyLine()).contains("Content-Range");
    assertThat(out).doesNotExist();
  }

  @Test
  void anOutputPathThatNamesNoFileIsOneLineWithLocalIoCode5() {
    server.put("/f", Content.pseudoRandom(MIB, 5));

    for (String o : List.of("/", "")) {
      Run r = rget(server.url("/f").toString(), "-o", o);

      assertThat(r.code()).as("-o '%s'", o).isEqualTo(5);
      assertThat(r.onlyLine()).as("-o '%s'", o).containsAnyOf("is a directory", "is empty");
    }
    assertThat(server.requestCount()).isZero();
  }

  @Test
  void aFileLargerThanMaxFilesizeExitsWithCode9AndLeavesNothing() throws Exception {
    server.put("/f", Content.pseudoRandom(2 * MIB, 6));

    Run r = rget(server.url("/f").toString(), "-o", out.toString(), "--max-filesize", "1m");

    assertThat(r.code()).isEqualTo(9);
    assertThat(r.onlyLine()).contains("more than the maximum of 1048576");
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void httpsOnlyRefusesAnHttpUrlWithUsageCode2() {
    Run r = rget(server.url("/f").toString(), "-o", out.toString(), "--https-only");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.onlyLine()).contains("not https");
    assertThat(server.requestCount()).isZero();
  }
}
