package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.complete;
import static dev.rget.core.engine.HostileDownloads.failure;
import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.RawHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two hostile servers of issue 10: one whose connections deliver nothing after the head, and
 * one that lies in every 206 not starting at byte 0 while its plain GET is correct.
 */
@Timeout(90)
class HostileServerGapsTest {
  private static final int KIB = 1 << 10;
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  @Test
  void connectionsThatDeliverNothingLoseTheirRangesLongBeforeTheStallTimeout() throws Exception {
    Content c = Content.pseudoRandom(32L * MIB, 51);
    server.put("/f", c);
    // Every third connection answers with a head and then not one body byte.
    server.faults().silentConnections(3);
    Path out = dir.resolve("f.bin");

    long t0 = System.nanoTime();
    complete(server.url("/f"), out, h.options().connections(8).minSplitSize(MIB)
        .stallTimeout(Duration.ofSeconds(30)).build());
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(sha256(out)).isEqualTo(c.sha256());
    assertThat(server.faults().stalledNow()).as("silent responses were held").isPositive();
    // Each silent range moves to an idle connection about a second after it was handed out,
    // instead of after the 30 s stall timeout (once per silent connection, in a chain).
    assertThat(took).as("elapsed").isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void serverLyingInEveryRangeButTheFirstEndsByteExactAsOneStream() throws Exception {
    byte[] file = randomBytes(4 * MIB + 17, 52);
    AtomicInteger plainGets = new AtomicInteger();
    server.handle("/f", lyingRanges(file, false, plainGets));
    Path out = dir.resolve("f.bin");

    complete(server.url("/f"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(sha256Of(file));
    assertThat(h.notices).anyMatch(n -> n.contains("ranges are unusable on this server")
        && n.contains("single stream"));
    assertThat(plainGets.get()).isEqualTo(1);
  }

  @Test
  void serverLyingInRangesThatAlsoBreaksThePlainGetIsAProtocolError() throws Exception {
    byte[] file = randomBytes(4 * MIB, 53);
    server.handle("/f", lyingRanges(file, true, new AtomicInteger()));
    Path out = dir.resolve("f.bin");

    DownloadException e = failure(server.url("/f"), out, h.options().retries(2).build());

    assertThat(e.kind()).isEqualTo(FailureKind.PROTOCOL);
    assertThat(out).doesNotExist();
  }

  /**
   * A server whose 206 is right only for ranges starting at byte 0; others name bytes 1000 further
   * on. Its plain GET returns the file, or (when {@code breakStream}) a part of it with a
   * Content-Range, which is no whole file either.
   */
  private static RawHandler lyingRanges(byte[] file, boolean breakStream, AtomicInteger plain) {
    return (request, out, socket) -> {
      String range = request.header("Range").orElse(null);
      long len = file.length;
      if (range == null) {
        plain.incrementAndGet();
        if (breakStream) {
          head(out, 200, "Content-Length: 100\r\nContent-Range: bytes 0-99/" + len + "\r\n");
          out.write(file, 0, 100);
        } else {
          head(out, 200, "Content-Length: " + len + "\r\n");
          out.write(file);
        }
        out.flush();
        return true;
      }
      String spec = range.substring("bytes=".length());
      long first = Long.parseLong(spec.substring(0, spec.indexOf('-')));
      String lastText = spec.substring(spec.indexOf('-') + 1);
      long last = lastText.isEmpty() ? len - 1 : Math.min(len - 1, Long.parseLong(lastText));
      long shift = first == 0 ? 0 : 1000;
      head(out, 206, "Content-Length: " + (last - first + 1) + "\r\nContent-Range: bytes "
          + (first + shift) + "-" + (last + shift) + "/" + len + "\r\n");
      out.write(file, (int) first, (int) (last - first + 1));
      out.flush();
      return true;
    };
  }

  private static void head(OutputStream out, int status, String headers) throws IOException {
    out.write(("HTTP/1.1 " + status + (status == 200 ? " OK" : " Partial Content") + "\r\n"
        + "ETag: \"v1\"\r\nAccept-Ranges: bytes\r\n" + headers + "\r\n")
        .getBytes(StandardCharsets.ISO_8859_1));
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String sha256Of(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
