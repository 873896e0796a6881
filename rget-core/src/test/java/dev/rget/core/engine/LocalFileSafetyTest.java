package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.complete;
import static dev.rget.core.engine.HostileDownloads.failure;
import static dev.rget.core.engine.HostileDownloads.part;
import static dev.rget.core.engine.HostileDownloads.sha256;
import static dev.rget.core.engine.HostileDownloads.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The download's own files in a directory others can write to (issue 8): a planted link or a
 * file someone else controls is never written through or resumed, a state file that cannot be
 * believed is ignored with a notice (never a hang, never an internal error), and the finished
 * file gets ordinary permissions.
 */
@Timeout(60)
class LocalFileSafetyTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  private Path out() {
    return dir.resolve("f.bin");
  }

  @Test
  void aSymlinkAtTheStateFileIsRefusedAndItsTargetUntouched() throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 1));
    Path victim = Files.writeString(dir.resolve("victim"), "precious");
    Files.createSymbolicLink(state(out()), victim);

    DownloadException e = failure(server.url("/f"), out(), h.options().build());

    assertThat(e.kind()).isEqualTo(FailureKind.LOCAL_IO);
    assertThat(e.getMessage()).contains("f.bin.rget").contains("symbolic link");
    assertThat(Files.readString(victim)).isEqualTo("precious");
    assertThat(out()).doesNotExist();
  }

  @Test
  void aPartialDownloadOthersCouldWriteOrOwnIsNotResumed() throws Exception {
    Content c = Content.pseudoRandom(4L * MIB, 2);
    Resource throttled = Resource.builder(c).rateLimit(MIB).build();
    server.put("/f", throttled);
    Download d = Rget.download(server.url("/f"), out(), h.options().build());
    HostileDownloads.cancelWhen(d, () -> Files.exists(state(out())) && recorded() >= MIB / 2);
    assertThat(perms(part(out()))).isEqualTo("rw-------");
    assertThat(perms(state(out()))).isEqualTo("rw-------");
    server.put("/f", throttled.toBuilder().rateLimit(0).build());

    Files.setPosixFilePermissions(part(out()), PosixFilePermissions.fromString("rw-rw-rw-"));
    DownloadException writable = failure(server.url("/f"), out(), h.options().build());
    assertThat(writable.kind()).isEqualTo(FailureKind.LOCAL_IO);
    assertThat(writable.getMessage()).contains("f.bin.part").contains("other users can write");
    Files.setPosixFilePermissions(part(out()), PosixFilePermissions.fromString("rw-------"));

    Files.setPosixFilePermissions(state(out()), PosixFilePermissions.fromString("rw-r---w-"));
    DownloadException stateWritable = failure(server.url("/f"), out(), h.options().build());
    assertThat(stateWritable.getMessage()).contains("f.bin.rget").contains("other users");
    Files.setPosixFilePermissions(state(out()), PosixFilePermissions.fromString("rw-------"));

    if (isRoot()) {
      // Only root can give a file away; elsewhere the ownership check is not reachable here.
      Object me = Files.getAttribute(part(out()), "unix:uid");
      Files.setAttribute(part(out()), "unix:uid", 4242);
      DownloadException foreign = failure(server.url("/f"), out(), h.options().build());
      assertThat(foreign.getMessage()).contains("f.bin.part").contains("owned by");
      Files.setAttribute(part(out()), "unix:uid", me);
    }

    // Nothing was touched by the refusals: the partial download still resumes.
    DownloadResult r = complete(server.url("/f"), out(), h.options().build());
    assertThat(sha256(out())).isEqualTo(c.sha256());
    assertThat(r.resumedBytes()).isGreaterThanOrEqualTo(MIB / 2);
  }

  @Test
  void aStateFileThatCannotBeBelievedIsIgnoredWithANotice() throws Exception {
    Content c = Content.pseudoRandom(MIB, 3);
    server.put("/f", c);
    URI url = server.url("/f");
    // A valid checksum over nonsense ranges: it passes the CRC and must still not crash.
    String body = "rget-state 1\nurl=" + url + "\nfinal-url=" + url + "\nlength=" + MIB
        + "\nboot-id=x\nwritten=nonsense\ndurable=\n";
    CRC32C crc = new CRC32C();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    List<String> kinds = List.of("garbage", "crc-valid nonsense", "huge", "fifo");
    for (String kind : kinds) {
      Files.deleteIfExists(out());
      Path st = state(out());
      switch (kind) {
        case "garbage" -> Files.writeString(st, "\u0000\u00ffnot a state file");
        case "crc-valid nonsense" -> Files.writeString(st,
            body + "crc32c=" + String.format("%08x", crc.getValue()) + "\n");
        case "huge" -> Files.write(st, new byte[3 * MIB]);
        default -> {
          Process mkfifo = new ProcessBuilder("mkfifo", st.toString()).start();
          assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
          assertThat(mkfifo.exitValue()).isZero();
        }
      }
      Files.write(part(out()), new byte[1000]);
      Files.setPosixFilePermissions(part(out()), PosixFilePermissions.fromString("rw-------"));
      h.notices.clear();

      complete(url, out(), h.options().build());

      assertThat(sha256(out())).as(kind).isEqualTo(c.sha256());
      assertThat(h.notices).as(kind).anyMatch(n -> n.contains("f.bin.rget is unusable"));
    }
  }

  @Test
  void theFinishedFileGetsThePermissionsOfAnyNewFile() throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 4));
    Path plain = Files.createFile(dir.resolve("plain"));

    complete(server.url("/f"), out(), h.options().build());

    assertThat(perms(out())).isEqualTo(perms(plain));
  }

  @Test
  void maxFileSizeRefusesALargerAnnouncedLengthAndCutsOffAnUnannouncedOne() throws Exception {
    Content c = Content.pseudoRandom(2L * MIB, 5);
    server.put("/known", c);
    server.put("/chunked", Resource.builder(c).chunked(true)
        .acceptRanges(Resource.AcceptRanges.ABSENT).rangeSupport(Resource.RangeSupport.IGNORE)
        .build());

    DownloadException known = failure(server.url("/known"), out(),
        h.options().maxFileSize(MIB).build());
    assertThat(known.kind()).isEqualTo(FailureKind.TOO_LARGE);
    assertThat(known.getMessage()).contains(String.valueOf(2L * MIB)).contains("--max-filesize");
    assertThat(filesIn(dir)).isEmpty();

    DownloadException unknown = failure(server.url("/chunked"), out(),
        h.options().maxFileSize(MIB).build());
    assertThat(unknown.kind()).isEqualTo(FailureKind.TOO_LARGE);
    assertThat(unknown.getMessage()).contains("unannounced length");
    assertThat(filesIn(dir)).isEmpty();

    complete(server.url("/chunked"), out(), h.options().maxFileSize(2L * MIB).build());
    assertThat(sha256(out())).isEqualTo(c.sha256());
  }

  @Test
  void aRedirectIntoTheLocalNetworkIsRefusedWhenAsked() throws Exception {
    Content c = Content.pseudoRandom(MIB, 6);
    server.put("/f", c);
    // "localhost" resolves to a loopback address: the check is on the address, not the name.
    server.redirect("/r", 302, "http://localhost:" + server.port() + "/f");

    DownloadException e = failure(server.url("/r"), out(),
        h.options().refusePrivateRedirects(true).build());
    assertThat(e.kind()).isEqualTo(FailureKind.HTTP_STATUS);
    assertThat(e.getMessage()).contains("refusing the redirect").contains("local or private");
    assertThat(server.requests("/f")).isEmpty();
    assertThat(filesIn(dir)).isEmpty();

    complete(server.url("/r"), out(), h.options().build());
    assertThat(sha256(out())).isEqualTo(c.sha256());
  }

  @Test
  void httpsOnlyRefusesAPlainHttpUrlBeforeAnyRequest() throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 7));

    DownloadException e = failure(server.url("/f"), out(), h.options().httpsOnly(true).build());

    assertThat(e.kind()).isEqualTo(FailureKind.USAGE);
    assertThat(e.getMessage()).contains("not https");
    assertThat(server.requestCount()).isZero();
  }

  // ---------------------------------------------------------------- helpers

  private long recorded() {
    try {
      return HostileDownloads.writtenRanges(out()).stream().mapToLong(r -> r.length()).sum();
    } catch (java.io.IOException e) {
      return 0; // between writes of the state file: look again
    }
  }

  private static String perms(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static List<String> filesIn(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }
}
