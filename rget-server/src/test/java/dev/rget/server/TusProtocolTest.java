package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each rule of tus 1.0.0 core and of the extensions rget serves, over a raw socket. */
class TusProtocolTest {
  static final String TUS = "Tus-Resumable: 1.0.0";
  static final String OCTETS = "Content-Type: application/offset+octet-stream";

  @TempDir Path root;
  @TempDir Path updir;
  Fixture fx;
  int port;

  @BeforeEach
  void start() throws IOException {
    fx = Fixture.start(root, b -> b.uploads(updir).uploadMaxSize(1_000_000));
    port = fx.server.port();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** POST creation: returns the upload's path. */
  String create(long length, String... more) throws IOException {
    String[] h = new String[more.length + 2];
    h[0] = TUS;
    h[1] = "Upload-Length: " + length;
    System.arraycopy(more, 0, h, 2, more.length);
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", h));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.header("Location");
  }

  RawHttp.Response patch(String path, long offset, byte[] body, String... more) throws IOException {
    String[] h = new String[more.length + 4];
    h[0] = TUS;
    h[1] = OCTETS;
    h[2] = "Upload-Offset: " + offset;
    h[3] = "Content-Length: " + body.length;
    System.arraycopy(more, 0, h, 4, more.length);
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("PATCH", path, h)).send(body);
      return c.read(false);
    }
  }

  RawHttp.Response head(String path, String... more) throws IOException {
    String[] h = new String[more.length + 1];
    h[0] = TUS;
    System.arraycopy(more, 0, h, 1, more.length);
    return RawHttp.exchange(port, RawHttp.request("HEAD", path, h));
  }

  @Test
  void optionsAnnouncesVersionExtensionsMaxSizeAndChecksums() throws IOException {
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("OPTIONS", "/uploads/"));
    assertThat(r.status()).isEqualTo(204);
    assertThat(r.header("Tus-Version")).isEqualTo("1.0.0");
    assertThat(r.header("Tus-Extension")).contains("creation", "creation-with-upload", "termination", "checksum",
        "expiration", "creation-defer-length", "concatenation");
    assertThat(r.header("Tus-Max-Size")).isEqualTo("1000000");
    assertThat(r.header("Tus-Checksum-Algorithm")).isEqualTo("crc32c,sha1,sha256");
    assertThat(r.header("Content-Length")).isNull();
  }

  @Test
  void expectContinueGets100BeforeTheBodyAndAFinalAnswerWhenRefused() throws IOException {
    String loc = create(10);
    try (RawHttp c = new RawHttp(port)) {
      c.socket().setSoTimeout(5_000);
      c.send(RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: 0", "Content-Length: 4",
          "Expect: 100-continue"));
      // The client holds its body back: the server must ask for it.
      assertThat(c.read(false).status()).isEqualTo(100);
      c.send("abcd".getBytes(StandardCharsets.US_ASCII));
      RawHttp.Response r = c.read(false);
      assertThat(r.status()).isEqualTo(204);
      assertThat(r.header("Upload-Offset")).isEqualTo("4");
    }
    try (RawHttp c = new RawHttp(port)) { // a wrong offset: the final answer, no 100
      c.socket().setSoTimeout(5_000);
      c.send(RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: 1", "Content-Length: 4",
          "Expect: 100-continue"));
      assertThat(c.read(false).status()).isEqualTo(409);
    }
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("4");
  }

  @Test
  void versionMismatchIs412WithTusVersion() throws IOException {
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", "Tus-Resumable: 0.2.2",
        "Upload-Length: 5"));
    assertThat(r.status()).isEqualTo(412);
    assertThat(r.header("Tus-Version")).isEqualTo("1.0.0");
    assertThat(RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", "Upload-Length: 5")).status())
        .isEqualTo(412);
  }

  @Test
  void createHeadPatchCompletesIntoUpdirUnderItsName() throws IOException {
    String loc = create(11, "Upload-Metadata: filename " + b64("hello.txt") + ",kind");
    assertThat(loc).matches("/uploads/[A-Za-z0-9_-]{22}");
    RawHttp.Response h = head(loc);
    assertThat(h.status()).isEqualTo(200);
    assertThat(h.header("Upload-Offset")).isEqualTo("0");
    assertThat(h.header("Upload-Length")).isEqualTo("11");
    assertThat(h.header("Cache-Control")).isEqualTo("no-store");
    assertThat(h.header("Tus-Resumable")).isEqualTo("1.0.0");
    assertThat(h.header("Upload-Expires")).endsWith("GMT");
    assertThat(h.header("Upload-Metadata")).contains("filename " + b64("hello.txt"));

    RawHttp.Response p = patch(loc, 0, "hello ".getBytes(StandardCharsets.US_ASCII));
    assertThat(p.status()).isEqualTo(204);
    assertThat(p.header("Upload-Offset")).isEqualTo("6");
    assertThat(p.header("Tus-Resumable")).isEqualTo("1.0.0");
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("6");
    assertThat(patch(loc, 6, "world".getBytes(StandardCharsets.US_ASCII)).header("Upload-Offset")).isEqualTo("11");
    assertThat(Files.readString(updir.resolve("hello.txt"))).isEqualTo("hello world");
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("11");
    assertThat(Files.list(updir.resolve(".rget-uploads")).map(q -> q.getFileName().toString()))
        .noneMatch(n -> n.endsWith(".part"));
  }

  @Test
  void wrongOffsetIs409AndWrongTypeIs415() throws IOException {
    String loc = create(10);
    RawHttp.Response r = patch(loc, 3, new byte[2]);
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.header("Tus-Resumable")).isEqualTo("1.0.0");
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("PATCH", loc, TUS, "Content-Type: application/octet-stream", "Upload-Offset: 0",
          "Content-Length: 2")).send(new byte[2]);
      assertThat(c.read(false).status()).isEqualTo(415);
    }
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("0");
  }

  @Test
  void creationWithUploadAndZeroLength() throws IOException {
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("POST", "/uploads/", TUS, "Upload-Length: 8", OCTETS, "Content-Length: 5",
          "Upload-Metadata: filename " + b64("cwu.bin"))).send("12345".getBytes(StandardCharsets.US_ASCII));
      RawHttp.Response r = c.read(false);
      assertThat(r.status()).isEqualTo(201);
      assertThat(r.header("Upload-Offset")).isEqualTo("5");
      assertThat(head(r.header("Location")).header("Upload-Offset")).isEqualTo("5");
      // the same connection goes on: the body was read to its end
      c.send(RawHttp.request("HEAD", r.header("Location"), TUS));
      assertThat(c.read(true).header("Upload-Offset")).isEqualTo("5");
    }
    create(0, "Upload-Metadata: filename " + b64("empty.txt"));
    assertThat(updir.resolve("empty.txt")).isEmptyFile();
  }

  @Test
  void terminationDeletesAndThenIs404() throws IOException {
    String loc = create(10);
    patch(loc, 0, new byte[4]);
    RawHttp.Response d = RawHttp.exchange(port, RawHttp.request("DELETE", loc, TUS));
    assertThat(d.status()).isEqualTo(204);
    assertThat(head(loc).status()).isEqualTo(404);
    assertThat(patch(loc, 4, new byte[1]).status()).isEqualTo(404);
    // Nothing of the upload is left; the server's own lock file stays while it runs.
    assertThat(Files.list(updir.resolve(".rget-uploads")))
        .extracting(f -> f.getFileName().toString()).containsExactly("lock");
  }

  @Test
  void methodOverrideTurnsPostIntoPatchOrDelete() throws IOException {
    String loc = create(4);
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("POST", loc, TUS, OCTETS, "X-HTTP-Method-Override: PATCH", "Upload-Offset: 0",
          "Content-Length: 4")).send(new byte[] {1, 2, 3, 4});
      assertThat(c.read(false).status()).isEqualTo(204);
    }
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("4");
    assertThat(RawHttp.exchange(port, RawHttp.request("POST", loc, TUS, "X-HTTP-Method-Override: DELETE"))
        .status()).isEqualTo(204);
  }

  @Test
  void checksumMismatchIs460AndTheOffsetStays() throws Exception {
    String loc = create(6);
    byte[] body = "abc".getBytes(StandardCharsets.US_ASCII);
    String good1 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(body));
    String good256 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
    RawHttp.Response bad = patch(loc, 0, body, "Upload-Checksum: sha1 " + good256.substring(0, 28));
    assertThat(bad.status()).isEqualTo(400); // a sha1 digest has 20 bytes
    RawHttp.Response wrong = patch(loc, 0, body, "Upload-Checksum: sha256 "
        + Base64.getEncoder().encodeToString(new byte[32]));
    assertThat(wrong.status()).isEqualTo(460);
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("0");
    assertThat(patch(loc, 0, body, "Upload-Checksum: md5 AAAAAAAAAAAAAAAAAAAAAA==").status()).isEqualTo(400);
    assertThat(patch(loc, 0, body, "Upload-Checksum: sha1 " + good1).status()).isEqualTo(204);
    assertThat(patch(loc, 3, body, "Upload-Checksum: sha256 " + good256).status()).isEqualTo(204);
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("6");
  }

  @Test
  void crc32cMismatchIs460AndTheOffsetStaysAndAMatchCounts() throws Exception {
    String loc = create(8);
    byte[] body = "abcd".getBytes(StandardCharsets.US_ASCII);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(body);
    byte[] good = java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array(); // big-endian
    byte[] bad = good.clone();
    bad[3] ^= 1;
    byte[] swapped = {good[3], good[2], good[1], good[0]}; // little-endian is not the tus value
    RawHttp.Response wrong = patch(loc, 0, body, "Upload-Checksum: crc32c " + Base64.getEncoder().encodeToString(bad));
    assertThat(wrong.status()).isEqualTo(460);
    assertThat(wrong.header("Upload-Offset")).isEqualTo("0");
    assertThat(patch(loc, 0, body, "Upload-Checksum: crc32c " + Base64.getEncoder().encodeToString(swapped))
        .status()).isEqualTo(460);
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("0");
    assertThat(patch(loc, 0, body, "Upload-Checksum: crc32c " + Base64.getEncoder().encodeToString(new byte[8]))
        .status()).as("a crc32c has 4 bytes").isEqualTo(400);
    RawHttp.Response right = patch(loc, 0, body, "Upload-Checksum: CRC32C " + Base64.getEncoder().encodeToString(good));
    assertThat(right.status()).isEqualTo(204);
    assertThat(right.header("Upload-Offset")).isEqualTo("4");
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("4");
  }

  @Test
  void tooLargeIs413AndBodyPastLengthIs413() throws IOException {
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", TUS, "Upload-Length: 1000001"));
    assertThat(r.status()).isEqualTo(413);
    String loc = create(3);
    assertThat(patch(loc, 0, new byte[4]).status()).isEqualTo(413);
    // chunked, so the length is only known as it arrives: cut at the declared length
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: 0", "Transfer-Encoding: chunked"))
          .send("2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n");
      assertThat(c.read(false).status()).isEqualTo(413);
    }
    assertThat(Long.parseLong(head(loc).header("Upload-Offset"))).isLessThanOrEqualTo(3);
  }

  @Test
  void badHeadersAre400() throws IOException {
    for (String length : new String[] {"-1", "1e3", " ", "99999999999999999999", "+5"}) {
      assertThat(RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", TUS, "Upload-Length: " + length))
          .status()).as(length).isEqualTo(400);
    }
    assertThat(RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", TUS, "Upload-Length: 3",
        "Upload-Metadata: filename !!notbase64")).status()).isEqualTo(400);
    assertThat(RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", TUS, "Upload-Length: 3",
        "Upload-Metadata: a " + b64("x") + ",a " + b64("y"))).status()).isEqualTo(400);
    assertThat(RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", TUS, "Upload-Defer-Length: 2"))
        .status()).isEqualTo(400);
    assertThat(RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", TUS, "Upload-Defer-Length: 1",
        "Upload-Length: 3")).status()).isEqualTo(400);
  }

  @Test
  void unknownAndMalformedIdsAre404AndOtherMethods405() throws IOException {
    assertThat(head("/uploads/AAAAAAAAAAAAAAAAAAAAAA").status()).isEqualTo(404);
    assertThat(head("/uploads/..%2f..%2fetc%2fpasswd").status()).isIn(400, 404);
    assertThat(head("/uploads/x/y").status()).isEqualTo(404);
    RawHttp.Response get = RawHttp.exchange(port, RawHttp.request("GET", create(1), TUS));
    assertThat(get.status()).isEqualTo(405);
    assertThat(get.header("Allow")).contains("PATCH");
  }

  @Test
  void filesOutsideUploadsAreServedAsBefore() throws IOException {
    assertThat(RawHttp.get(port, "/hello.txt").status()).isEqualTo(200);
    assertThat(RawHttp.exchange(port, RawHttp.request("PATCH", "/hello.txt", "Content-Length: 0")).status())
        .isEqualTo(405);
  }

  @Test
  void expiredUploadIs410ThenSweptTo404() throws Exception {
    fx.close();
    fx = Fixture.start(root, b -> b.uploads(updir).uploadExpiry(Duration.ofMillis(300)));
    port = fx.server.port();
    String loc = create(10);
    RawHttp.Response p = patch(loc, 0, new byte[2]);
    assertThat(p.header("Upload-Expires")).endsWith("GMT");
    Await.until("expiry", Duration.ofSeconds(10), () -> {
      try {
        return head(loc).status() == 410;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(patch(loc, 2, new byte[1]).status()).isEqualTo(410);
  }
}
