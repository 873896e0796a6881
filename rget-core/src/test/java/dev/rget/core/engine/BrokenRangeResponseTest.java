package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.complete;
import static dev.rget.core.engine.HostileDownloads.failure;
import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import dev.rget.testkit.RequestRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers that answer range requests wrongly: a whole body, a partial body dressed as a whole
 * one, a failing If-Range, gzip, a lying Content-Range, a short body. Nothing is ever written at
 * an offset it does not belong to.
 */
@Timeout(60)
class BrokenRangeResponseTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  @AutoClose private final FaultServer server = FaultServer.open();
  private final HostileDownloads h = new HostileDownloads();

  @Test
  void rangeRequestAnsweredWithTheWholeBodyFallsBackToOneStream() throws Exception {
    Content c = Content.pseudoRandom(3L * MIB + 5, 31);
    server.put("/f", c);
    server.faults().ignoreRange();
    Path out = dir.resolve("f.bin");

    complete(server.url("/f"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
    assertThat(h.notices).anyMatch(n -> n.contains("single stream"));
    server.awaitIdle(Duration.ofSeconds(5));
    // The probe's ranged GET was answered 200 with the whole file: that body became the stream,
    // so the file took exactly one request and no other connection was opened.
    assertThat(server.requests("/f")).singleElement().satisfies(q -> {
      assertThat(q.header("Range")).isPresent();
      assertThat(q.status()).isEqualTo(200);
    });
  }

  @Test
  void partialBodyWith200IsNeverWrittenAsIfItWereTheWholeFile() throws Exception {
    Content c = Content.pseudoRandom(2L * MIB + 3, 32);
    server.put("/f", c);
    server.faults().partialBodyWith200();
    Path out = dir.resolve("f.bin");

    complete(server.url("/f"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
    // The whole file came from a request without Range, which this server answers correctly.
    assertThat(server.requests("/f")).anyMatch(q -> q.method().equals("GET")
        && q.header("Range").isEmpty() && q.status() == 200 && q.complete()
        && q.bodyBytes() == c.length());
  }

  @Test
  void partialBodyWith200ToTheProbeIsNotTakenForTheFileLength() throws Exception {
    Content c = Content.pseudoRandom(MIB + 9, 33);
    server.put("/f", dev.rget.testkit.Resource.builder(c).headAllowed(false).build());
    server.faults().partialBodyWith200();
    Path out = dir.resolve("f.bin");

    complete(server.url("/f"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
  }

  @Test
  void ifRangeAlwaysAnsweredWith200IsDroppedAndRangesStillUsed() throws Exception {
    Content c = Content.pseudoRandom(3L * MIB, 34);
    server.put("/f", c);
    server.faults().ifRangeAlwaysFails();
    Path out = dir.resolve("f.bin");

    complete(server.url("/f"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
    assertThat(h.notices).anyMatch(n -> n.contains("If-Range"));
    assertThat(server.requests("/f")).anyMatch(q -> q.status() == 206
        && q.header("If-Range").isEmpty());
  }

  @Test
  void serverThatGzipsWhenAllowedSeesIdentityOnlyAndTheFileIsExact() throws Exception {
    Content c = Content.pseudoRandom(2L * MIB, 35);
    server.put("/f", c);
    server.faults().gzipIgnoringRange();
    Path out = dir.resolve("f.bin");

    complete(server.url("/f"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(c.sha256());
    assertThat(server.requests("/f")).allSatisfy(q ->
        assertThat(q.header("Accept-Encoding")).contains("identity"));
  }

  @Test
  void gzippedWholeBodyToARangeRequestIsNeverWrittenAsTheFile() throws Exception {
    byte[] plain = Content.pseudoRandom(300_000, 42).toByteArray();
    byte[] zipped = gzip(plain);
    // The probe gets the plain file's first byte; every later GET gets a gzipped whole body of
    // another length, in chunked framing, as a server that ignores Accept-Encoding: identity
    // would send it.
    java.util.concurrent.atomic.AtomicBoolean probed = new java.util.concurrent.atomic.AtomicBoolean();
    server.handle("/z", (req, os, socket) -> {
      if (probed.compareAndSet(false, true)) {
        os.write(("HTTP/1.1 206 Partial Content\r\nContent-Length: 1\r\nContent-Range: bytes 0-0/"
            + plain.length + "\r\nETag: \"z1\"\r\nAccept-Ranges: bytes\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        os.write(plain, 0, 1);
      } else {
        os.write(("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked"
            + "\r\nETag: \"z1\"\r\n\r\n" + Integer.toHexString(zipped.length) + "\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        os.write(zipped);
        os.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      os.flush();
      return true;
    });
    Path out = dir.resolve("z.bin");

    DownloadException e = failure(server.url("/z"), out, h.options().retries(1).build());

    assertThat(e.kind()).isEqualTo(FailureKind.PROTOCOL);
    assertThat(e.getMessage()).contains("gzip");
    assertThat(out).doesNotExist();
    // Only the honest first byte (the probe's plain 206) was recorded; not one byte of the gzip
    // stream.
    assertThat(HostileDownloads.writtenRanges(out))
        .containsExactly(new dev.rget.core.range.ByteRange(0, 0));
  }

  @Test
  void fileServedGzipEncodedEveryTimeIsSavedAsTheBytesSent() throws Exception {
    // A .tar.gz behind a server that labels it Content-Encoding: gzip on every answer, HEAD
    // included: the bytes on the wire are the file, as curl and wget save them.
    byte[] zipped = gzip(Content.pseudoRandom(200_000, 43).toByteArray());
    server.handle("/a.tar.gz", (req, os, socket) -> {
      os.write(("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + zipped.length
          + "\r\nETag: \"t1\"\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      if (!req.method().equals("HEAD")) {
        os.write(zipped);
      }
      os.flush();
      return true;
    });
    Path out = dir.resolve("a.tar.gz");

    complete(server.url("/a.tar.gz"), out, h.options().build());

    assertThat(java.nio.file.Files.readAllBytes(out)).isEqualTo(zipped);
  }

  @Test
  void bodyLongerThanTheFileIsForgottenSoALaterRunDoesNotCommitIt() throws Exception {
    int length = 200_000;
    byte[] tooLong = Content.pseudoRandom(length + 100, 44).toByteArray();
    // The probe's answer announces 200 000 bytes (and breaks off after 10 of them); every later
    // GET gets a chunked 200 that runs 100 bytes longer.
    java.util.concurrent.atomic.AtomicBoolean probed = new java.util.concurrent.atomic.AtomicBoolean();
    server.handle("/f", (req, os, socket) -> {
      if (probed.compareAndSet(false, true)) {
        os.write(("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\nETag: \"e1\"\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
        os.write(tooLong, 0, 10);
        os.flush();
        return false;
      } else {
        os.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nETag: \"e1\"\r\n\r\n"
            + Integer.toHexString(tooLong.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        os.write(tooLong);
        os.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      os.flush();
      return true;
    });
    Path out = dir.resolve("f.bin");

    DownloadException e = failure(server.url("/f"), out, h.options().retries(1).build());

    assertThat(e.kind()).isEqualTo(FailureKind.PROTOCOL);
    assertThat(e.getMessage()).contains("more than the announced");
    assertThat(HostileDownloads.writtenRanges(out)).as("bytes the state vouches for").isEmpty();

    // The same version served correctly: the next run fetches it all rather than committing
    // the bytes of the bad body.
    Content right = Content.pseudoRandom(length, 45);
    server.put("/f", dev.rget.testkit.Resource.builder(right).etag("e1").noLastModified().build());
    complete(server.url("/f"), out, h.options().build());
    assertThat(sha256(out)).isEqualTo(right.sha256());
  }

  private static byte[] gzip(byte[] plain) throws java.io.IOException {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(plain);
    }
    return zipped.toByteArray();
  }

  @Test
  void contentRangeWithTheWrongStartIsNotWrittenAndIsRetried() throws Exception {
    Content c = Content.pseudoRandom(2L * MIB, 36);
    server.put("/f", c);
    server.faults().wrongContentRangeStart(1000);
    Path out = dir.resolve("f.bin");
    Download d = Rget.download(server.url("/f"), out, h.options().retries(8).build());
    HostileDownloads.awaitCondition(() -> server.requests("/f").stream()
        .filter(q -> q.status() == 206).count() >= 2, Duration.ofSeconds(20));
    long writtenWhileLying = d.progress().doneBytes();
    server.faults().clearRangeQuirk();

    HostileDownloads.await(d);

    assertThat(writtenWhileLying).isZero();
    assertThat(sha256(out)).isEqualTo(c.sha256());
  }

  @Test
  void contentRangeWithTheWrongStartThatPersistsIsAProtocolError() throws Exception {
    server.put("/f", Content.pseudoRandom(2L * MIB, 37));
    server.faults().wrongContentRangeStart(7);
    Path out = dir.resolve("f.bin");

    DownloadException e = failure(server.url("/f"), out, h.options().retries(2).build());

    assertThat(e.kind()).isEqualTo(FailureKind.PROTOCOL);
    assertThat(e.getMessage()).contains("when asked for");
    assertThat(out).doesNotExist();
    // The probe itself was lied to on every attempt: nothing was written, nothing left behind.
    assertThat(HostileDownloads.part(out)).doesNotExist();
    assertThat(HostileDownloads.state(out)).doesNotExist();
  }

  @Test
  void contentRangeWithTheWrongTotalThatPersistsIsAProtocolErrorNotAChangedFile()
      throws Exception {
    server.put("/f", Content.pseudoRandom(2L * MIB, 38));
    server.faults().wrongContentRangeTotal(10);
    Path out = dir.resolve("f.bin");

    DownloadException e = failure(server.url("/f"), out, h.options().retries(2).build());

    assertThat(e.kind()).isEqualTo(FailureKind.PROTOCOL);
    assertThat(out).doesNotExist();
  }

  @Test
  void contentRangeWithAWrongTotalForAWhileNeverEndsInAWrongFile() throws Exception {
    // Connections dropped every 256 KiB keep new requests coming; for a while in the middle,
    // every 206 states a total one byte short. The download notices the disagreement, asks
    // again, and ends byte-exact (restarting if an answer in the lying spell misled it).
    Content c = Content.pseudoRandom(4L * MIB, 39);
    server.put("/f", Resource.builder(c).rateLimit(MIB).build());
    server.faults().dropAfter(256 * 1024);
    Path out = dir.resolve("f.bin");
    Download d = Rget.download(server.url("/f"), out,
        h.options().connections(4).retries(20).build());
    HostileDownloads.awaitCondition(() -> server.requests("/f").stream()
        .filter(q -> q.status() == 206).count() >= 3, Duration.ofSeconds(20));
    int before = server.faults().misrangedResponses();
    server.faults().wrongContentRangeTotal(-1);
    // Until the engine has been answered with lies. A lie about a middle range reads as "the
    // server now reports a length of"; one about the range holding the last byte is a malformed
    // Content-Range (its end beyond the total), refused and asked again: which the engine meets
    // depends on what is left to fetch, so the lies are counted at the server as they are sent.
    HostileDownloads.awaitCondition(() -> d.result().isDone()
        || server.faults().misrangedResponses() >= before + 3, Duration.ofSeconds(20));
    assertThat(d.result()).as("still running when the server stops lying").isNotDone();
    server.faults().clearRangeQuirk();

    HostileDownloads.await(d);

    assertThat(sha256(out)).as("notices %s", h.notices).isEqualTo(c.sha256());
  }

  @Test
  void bodyShorterThanItsContentRangeIsCompletedByARetry() throws Exception {
    Content c = Content.pseudoRandom(2L * MIB, 40);
    server.put("/f", c);
    server.faults().short206(100);
    Path out = dir.resolve("f.bin");
    Download d = Rget.download(server.url("/f"), out, h.options().retries(8).build());
    HostileDownloads.awaitCondition(() -> server.requests("/f").stream()
        .filter(q -> q.status() == 206 && !q.complete()).count() >= 2, Duration.ofSeconds(20));
    server.faults().clearRangeQuirk();

    HostileDownloads.await(d);

    assertThat(sha256(out)).isEqualTo(c.sha256());
  }

  @Test
  void bodyAlwaysShorterThanItsContentRangeIsAProtocolError() throws Exception {
    server.put("/f", Content.pseudoRandom(MIB, 41));
    server.faults().short206(100);
    Path out = dir.resolve("f.bin");

    DownloadException e = failure(server.url("/f"), out, h.options().retries(2).build());

    assertThat(e.kind()).isEqualTo(FailureKind.PROTOCOL);
    assertThat(out).doesNotExist();
    assertThat(HostileDownloads.part(out)).exists();
    assertThat(HostileDownloads.state(out)).exists();
    // Everything but the last 100 bytes of each range arrived, was written, and stays.
    long sent = server.requests("/f").stream().filter(q -> q.status() == 206)
        .mapToLong(RequestRecord::bodyBytes).sum();
    assertThat(sent).isLessThan(MIB + 64 * 1024);
  }
}
