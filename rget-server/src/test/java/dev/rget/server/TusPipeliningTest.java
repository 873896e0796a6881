package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/1.1 pipelining on the tus endpoint, over a raw socket: requests sent back to back on one
 * connection (the next one's head and body already in the socket, even in the same segment) are
 * answered in order, and each sees what the ones before it did. So a client may send PATCH k+1 (at
 * the offset k will end at) right after PATCH k's body: the server starts reading it while k's end
 * is forced and recorded, and counts it only if k was. Any other request behind a PATCH waits for
 * its answer.
 */
@Timeout(60)
class TusPipeliningTest {
  static final String TUS = "Tus-Resumable: 1.0.0";
  static final String OCTETS = "Content-Type: application/offset+octet-stream";

  static final Duration HEAD_TIMEOUT = Duration.ofMillis(800);

  @TempDir Path root;
  @TempDir Path updir;
  Fixture fx;
  int port;

  @BeforeEach
  void start() throws IOException {
    fx = Fixture.start(root, b -> b.uploads(updir).uploadMaxSize(64L << 20).headTimeout(HEAD_TIMEOUT)
        .idleTimeout(Duration.ofSeconds(20)));
    port = fx.server.port();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private String create(long length, String name) throws IOException {
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", TUS,
        "Upload-Length: " + length,
        "Upload-Metadata: filename " + Base64.getEncoder().encodeToString(name.getBytes(StandardCharsets.UTF_8))));
    assertThat(r.status()).isEqualTo(201);
    return r.header("Location");
  }

  /** A PATCH request, head and body, with the body's crc32c (or a wrong one). */
  private static byte[] patch(String loc, long offset, byte[] body, boolean damaged) throws IOException {
    CRC32C crc = new CRC32C();
    crc.update(body);
    byte[] sum = ByteBuffer.allocate(4).putInt((int) crc.getValue() ^ (damaged ? 1 : 0)).array();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: " + offset, "Content-Length: " + body.length,
        "Upload-Checksum: crc32c " + Base64.getEncoder().encodeToString(sum)).getBytes(StandardCharsets.ISO_8859_1));
    b.write(body);
    return b.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  @Test
  void smallPatchesInOneSegmentAreAnsweredInOrder() throws IOException {
    String loc = create(9, "small.txt");
    try (RawHttp c = new RawHttp(port)) {
      c.send(concat(patch(loc, 0, "abc".getBytes(StandardCharsets.US_ASCII), false),
          patch(loc, 3, "def".getBytes(StandardCharsets.US_ASCII), false),
          RawHttp.request("HEAD", loc, TUS).getBytes(StandardCharsets.ISO_8859_1),
          patch(loc, 6, "ghi".getBytes(StandardCharsets.US_ASCII), false)));
      RawHttp.Response first = c.read(false);
      assertThat(first.status()).isEqualTo(204);
      assertThat(first.header("Upload-Offset")).isEqualTo("3");
      RawHttp.Response second = c.read(false);
      assertThat(second.status()).isEqualTo(204);
      assertThat(second.header("Upload-Offset")).isEqualTo("6");
      RawHttp.Response head = c.read(true);
      assertThat(head.header("Upload-Offset")).as("the HEAD sees both PATCHes before it, not the one after").isEqualTo("6");
      RawHttp.Response third = c.read(false);
      assertThat(third.status()).isEqualTo(204);
      assertThat(third.header("Upload-Offset")).isEqualTo("9");
    }
    assertThat(Files.readString(updir.resolve("small.txt"))).isEqualTo("abcdefghi");
  }

  @Test
  void largePatchesBackToBackAreEachCheckedAndKept() throws Exception {
    byte[] data = new byte[6 << 20];
    new Random(3).nextBytes(data);
    String loc = create(data.length, "large.bin");
    int chunk = 2 << 20;
    try (RawHttp c = new RawHttp(port)) {
      // all three requests written before any answer is read (the answers wait in the socket)
      java.util.concurrent.atomic.AtomicReference<IOException> failed = new java.util.concurrent.atomic.AtomicReference<>();
      Thread writer = new Thread(() -> {
        try {
          for (int at = 0; at < data.length; at += chunk) {
            c.send(patch(loc, at, Arrays.copyOfRange(data, at, at + chunk), false));
          }
        } catch (IOException e) {
          failed.set(e);
        }
      });
      writer.start();
      for (int at = chunk; at <= data.length; at += chunk) {
        RawHttp.Response r = c.read(false);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Upload-Offset")).isEqualTo(Integer.toString(at));
      }
      writer.join(10_000);
      assertThat(failed.get()).isNull();
    }
    assertThat(Files.readAllBytes(updir.resolve("large.bin"))).isEqualTo(data);
  }

  @Test
  void aMismatchLeavesTheOffsetAndThePatchBehindItIsAConflict() throws IOException {
    String loc = create(6, "x.txt");
    try (RawHttp c = new RawHttp(port)) {
      c.send(concat(patch(loc, 0, "abc".getBytes(StandardCharsets.US_ASCII), true),
          patch(loc, 3, "def".getBytes(StandardCharsets.US_ASCII), false)));
      RawHttp.Response first = c.read(false);
      assertThat(first.status()).isEqualTo(460);
      assertThat(first.header("Upload-Offset")).isEqualTo("0");
      RawHttp.Response second = c.read(false);
      assertThat(second.status()).as("sent for an offset the first did not reach").isEqualTo(409);
      assertThat(second.header("Upload-Offset")).isEqualTo("0");
    }
    RawHttp.Response head = RawHttp.exchange(port, RawHttp.request("HEAD", loc, TUS));
    assertThat(head.header("Upload-Offset")).isEqualTo("0");
  }

  @Test
  void aMismatchInALargeBodyCutsTheFollowingPatchAndKeepsNothingOfEither() throws IOException {
    byte[] data = new byte[8 << 20];
    new Random(5).nextBytes(data);
    String loc = create(data.length, "y.bin");
    int half = data.length / 2;
    try (RawHttp c = new RawHttp(port)) {
      c.send(concat(patch(loc, 0, Arrays.copyOfRange(data, 0, half), true),
          patch(loc, half, Arrays.copyOfRange(data, half, data.length), false)));
      RawHttp.Response first = c.read(false);
      assertThat(first.status()).isEqualTo(460);
      RawHttp.Response second = c.read(false);
      assertThat(second.status()).isEqualTo(409);
      assertThat(second.header("Upload-Offset")).isEqualTo("0");
    }
    try (RawHttp c = new RawHttp(port)) { // the same bodies again, checked this time
      c.send(concat(patch(loc, 0, Arrays.copyOfRange(data, 0, half), false),
          patch(loc, half, Arrays.copyOfRange(data, half, data.length), false)));
      assertThat(c.read(false).header("Upload-Offset")).isEqualTo(Integer.toString(half));
      assertThat(c.read(false).header("Upload-Offset")).isEqualTo(Integer.toString(data.length));
    }
    assertThat(Files.readAllBytes(updir.resolve("y.bin"))).isEqualTo(data);
  }

  @Test
  void requestsOtherThanTheNextPatchWaitForTheAnswerBeforeThem() throws Exception {
    Files.writeString(root.resolve("served.txt"), "served");
    byte[] data = new byte[6 << 20];
    new Random(6).nextBytes(data);
    String loc = create(data.length, "z.bin");
    int third = data.length / 3;
    try (RawHttp c = new RawHttp(port)) {
      c.send(concat(patch(loc, 0, Arrays.copyOfRange(data, 0, third), false),
          RawHttp.request("HEAD", loc, TUS).getBytes(StandardCharsets.ISO_8859_1),
          patch(loc, third, Arrays.copyOfRange(data, third, 2 * third), false),
          RawHttp.request("GET", "/served.txt").getBytes(StandardCharsets.ISO_8859_1),
          patch(loc, 2 * third + 1, Arrays.copyOfRange(data, 2 * third, data.length - 1), false)));
      assertThat(c.read(false).header("Upload-Offset")).isEqualTo(Integer.toString(third));
      assertThat(c.read(true).header("Upload-Offset")).as("the HEAD sees the PATCH before it").isEqualTo(Integer.toString(third));
      assertThat(c.read(false).header("Upload-Offset")).isEqualTo(Integer.toString(2 * third));
      RawHttp.Response served = c.read(false);
      assertThat(served.status()).isEqualTo(200);
      assertThat(new String(served.body(), StandardCharsets.US_ASCII)).isEqualTo("served");
      RawHttp.Response wrong = c.read(false);
      assertThat(wrong.status()).as("a PATCH at another offset than where the upload is").isEqualTo(409);
      assertThat(wrong.header("Upload-Offset")).isEqualTo(Integer.toString(2 * third));
    }
    RawHttp.Response head = RawHttp.exchange(port, RawHttp.request("HEAD", loc, TUS));
    assertThat(head.header("Upload-Offset")).isEqualTo(Integer.toString(2 * third));
  }

  @Test
  void aFollowingPatchCutOffKeepsWhatArrivedBehindTheOneBefore() throws Exception {
    byte[] data = new byte[6 << 20];
    new Random(7).nextBytes(data);
    String loc = create(data.length, "w.bin");
    int chunk = 2 << 20;
    int arrived = 1 << 20;
    try (RawHttp c = new RawHttp(port)) {
      byte[] second = RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: " + chunk,
          "Content-Length: " + chunk).getBytes(StandardCharsets.ISO_8859_1);
      c.send(concat(patch(loc, 0, Arrays.copyOfRange(data, 0, chunk), false), second,
          Arrays.copyOfRange(data, chunk, chunk + arrived)));
      assertThat(c.read(false).header("Upload-Offset")).isEqualTo(Integer.toString(chunk));
    }
    // no digest on the second: what arrived of it counts, once the one before it did
    Await.until("the cut-off PATCH's bytes recorded", Duration.ofSeconds(10), () -> offset(loc) == chunk + arrived);
    Path part = updir.resolve(".rget-uploads").resolve(loc.substring(loc.lastIndexOf('/') + 1) + ".part");
    assertThat(Arrays.copyOf(Files.readAllBytes(part), chunk + arrived)).isEqualTo(Arrays.copyOf(data, chunk + arrived));
  }

  @Test
  void aSlowHeadBehindAPatchIsCutAtTheHeadDeadline() throws Exception {
    byte[] data = new byte[2 << 20];
    new Random(8).nextBytes(data);
    String loc = create(2L * data.length, "v.bin");
    try (RawHttp c = new RawHttp(port)) {
      long t0 = System.nanoTime();
      c.send(concat(patch(loc, 0, data, false), "HEAD ".getBytes(StandardCharsets.US_ASCII)));
      assertThat(c.read(false).header("Upload-Offset")).isEqualTo(Integer.toString(data.length));
      // the head began while the PATCH was answered: 408 once that answer is out, or just the end
      // of the connection if the deadline passes before it is
      RawHttp.Response timedOut;
      try {
        timedOut = c.read(false);
      } catch (java.io.EOFException e) {
        timedOut = null;
      }
      if (timedOut != null) {
        assertThat(timedOut.status()).isEqualTo(408);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(HEAD_TIMEOUT.minusMillis(100), HEAD_TIMEOUT.plusSeconds(5));
    }
  }

  @Test
  void aPatchThatWouldFollowIsStillCheckedForTheToken() throws Exception {
    Path other = Files.createTempDirectory(root, "up");
    try (Fixture locked = Fixture.start(root, b -> b.uploads(other).uploadToken("t0ken"))) {
      int p = locked.server.port();
      String auth = "Authorization: Bearer t0ken";
      RawHttp.Response created = RawHttp.exchange(p, RawHttp.request("POST", "/uploads/", TUS, auth,
          "Upload-Length: 6", "Upload-Metadata: filename " + Base64.getEncoder().encodeToString("t.txt".getBytes(StandardCharsets.UTF_8))));
      assertThat(created.status()).isEqualTo(201);
      String loc = created.header("Location");
      byte[] first = RawHttp.request("PATCH", loc, TUS, auth, OCTETS, "Upload-Offset: 0", "Content-Length: 3")
          .getBytes(StandardCharsets.ISO_8859_1);
      byte[] second = RawHttp.request("PATCH", loc, TUS, "Authorization: Bearer wrong", OCTETS, "Upload-Offset: 3",
          "Content-Length: 3").getBytes(StandardCharsets.ISO_8859_1);
      try (RawHttp c = new RawHttp(p)) {
        c.send(concat(first, "abc".getBytes(StandardCharsets.US_ASCII), second, "def".getBytes(StandardCharsets.US_ASCII)));
        assertThat(c.read(false).header("Upload-Offset")).isEqualTo("3");
        assertThat(c.read(false).status()).as("the PATCH behind, with a wrong token").isEqualTo(401);
      }
      RawHttp.Response head = RawHttp.exchange(p, RawHttp.request("HEAD", loc, TUS, auth));
      assertThat(head.header("Upload-Offset")).isEqualTo("3");
    }
  }

  @Test
  void aRefusedPatchBehindAnotherKeepsNothingOfWhatWasReadOfItsBody() throws Exception {
    byte[] data = new byte[4 << 20];
    new Random(9).nextBytes(data);
    String loc = create(data.length, "r.bin");
    int half = data.length / 2;
    byte[] bad = RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: " + half, "Content-Length: " + half,
        "Upload-Checksum: crc32c not-base64!").getBytes(StandardCharsets.ISO_8859_1);
    try (RawHttp c = new RawHttp(port)) {
      c.send(concat(patch(loc, 0, Arrays.copyOfRange(data, 0, half), false), bad,
          Arrays.copyOfRange(data, half, data.length)));
      assertThat(c.read(false).header("Upload-Offset")).isEqualTo(Integer.toString(half));
      assertThat(c.read(false).status()).isEqualTo(400);
      assertThat(c.closedByPeer()).as("its body was not read to the end: the connection ends").isTrue();
    }
    assertThat(offset(loc)).isEqualTo(half);
    Path part = updir.resolve(".rget-uploads").resolve(loc.substring(loc.lastIndexOf('/') + 1) + ".part");
    assertThat(Files.size(part)).as("nothing of the refused body is on disk").isEqualTo(half);
  }

  @Test
  void chunkedPatchesBackToBackAreEachKept() throws IOException {
    // A chunked body ends with an empty last piece: its end is seen while the decoder delivers it.
    String loc = create(10, "chunked.txt");
    try (RawHttp c = new RawHttp(port)) {
      c.send(concat(chunked(loc, 0, "hello"), chunked(loc, 5, "world"),
          RawHttp.request("HEAD", loc, TUS).getBytes(StandardCharsets.ISO_8859_1)));
      assertThat(c.read(false).header("Upload-Offset")).isEqualTo("5");
      assertThat(c.read(false).header("Upload-Offset")).isEqualTo("10");
      assertThat(c.read(true).header("Upload-Offset")).isEqualTo("10");
    }
    assertThat(Files.readString(updir.resolve("chunked.txt"))).isEqualTo("helloworld");
  }

  /** A PATCH with a chunked body of one chunk, no checksum. */
  private static byte[] chunked(String loc, long offset, String body) {
    String head = RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: " + offset,
        "Transfer-Encoding: chunked");
    return (head + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private long offset(String loc) {
    try {
      String o = RawHttp.exchange(port, RawHttp.request("HEAD", loc, TUS)).header("Upload-Offset");
      return o == null ? -1 : Long.parseLong(o);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
