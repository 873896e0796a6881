package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IETF resumable-upload draft (interop versions 6 to 8, and its RFC form) on the upload
 * endpoint, rule by rule over a raw socket: the 104 before the body, offset retrieval, append,
 * problem details, RFC 9530 digests, cancellation, limits, and a second writer.
 */
class DraftProtocolTest {
  static final String V8 = "Upload-Draft-Interop-Version: 8";
  static final String PARTIAL = "Content-Type: application/partial-upload";
  static final String PROBLEMS = "https://iana.org/assignments/http-problem-types#";

  @TempDir Path root;
  @TempDir Path updir;
  Fixture fx;
  int port;

  @BeforeEach
  void start() throws IOException {
    fx = Fixture.start(root, b -> b.uploads(updir).uploadMaxSize(100_000));
    port = fx.server.port();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static String digest(String algorithm, byte[] data) throws Exception {
    String jdk = algorithm.equals("sha-256") ? "SHA-256" : "SHA-512";
    return algorithm + "=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance(jdk).digest(data)) + ":";
  }

  /** A creation without content: returns the upload's path. */
  String create(String... headers) throws IOException {
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", headers));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.header("Upload-Complete")).isEqualTo("?0");
    return r.header("Location");
  }

  RawHttp.Response append(String loc, long offset, boolean complete, byte[] body, String... more) throws IOException {
    String[] h = new String[more.length + 5];
    h[0] = V8;
    h[1] = PARTIAL;
    h[2] = "Upload-Offset: " + offset;
    h[3] = "Upload-Complete: " + (complete ? "?1" : "?0");
    h[4] = "Content-Length: " + body.length;
    System.arraycopy(more, 0, h, 5, more.length);
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("PATCH", loc, h)).send(body);
      return c.read(false);
    }
  }

  /** Offset retrieval as an RFC client sends it: no marker at all. */
  RawHttp.Response head(String loc) throws IOException {
    return RawHttp.exchange(port, RawHttp.request("HEAD", loc));
  }

  long offsetOrMinus(String loc) {
    try {
      RawHttp.Response r = head(loc);
      return r.status() == 204 ? Long.parseLong(r.header("Upload-Offset")) : -1;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  long filesIn(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).count();
    }
  }

  @Test
  void optionsAnnouncesPartialUploadPatchesAndLimits() throws IOException {
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("OPTIONS", "/uploads/"));
    assertThat(r.status()).isEqualTo(204);
    assertThat(r.header("Accept-Patch")).contains("application/partial-upload");
    assertThat(r.header("Upload-Limit")).contains("max-size=100000").contains("max-age=");
  }

  @Test
  void the104WithLocationComesBeforeTheBodyIsSentAndTheUploadCompletesInOneRequest() throws IOException {
    byte[] body = ascii("one request, whole");
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("POST", "/uploads/", V8, "Upload-Complete: ?1", "Content-Length: " + body.length,
          "Content-Disposition: inline; filename=\"whole.txt\""));
      // nothing of the body is sent yet: the interim response must come first
      RawHttp.Response interim = c.read(false);
      assertThat(interim.status()).isEqualTo(104);
      assertThat(interim.header("Location")).matches("/uploads/[A-Za-z0-9_-]{22}");
      assertThat(interim.header("Upload-Draft-Interop-Version")).isEqualTo("8");
      assertThat(interim.header("Upload-Limit")).contains("max-size=100000");
      c.send(body);
      RawHttp.Response done = c.read(false);
      assertThat(done.status()).isEqualTo(201);
      assertThat(done.header("Upload-Complete")).isEqualTo("?1");
      assertThat(done.header("Location")).isEqualTo(interim.header("Location"));
      assertThat(done.header("Upload-Offset")).isEqualTo(String.valueOf(body.length));
      RawHttp.Response h = head(interim.header("Location"));
      assertThat(h.status()).isEqualTo(204);
      assertThat(h.header("Upload-Complete")).isEqualTo("?1");
      assertThat(h.header("Upload-Length")).isEqualTo(String.valueOf(body.length));
    }
    assertThat(Files.readAllBytes(updir.resolve("whole.txt"))).isEqualTo(body);
  }

  @Test
  void interopVersion6GetsA104WithItsVersionAndTheOldLimitName() throws IOException {
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("POST", "/uploads/", "Upload-Draft-Interop-Version: 6", "Upload-Complete: ?0",
          "Content-Length: 3"));
      RawHttp.Response interim = c.read(false);
      assertThat(interim.status()).isEqualTo(104);
      assertThat(interim.header("Upload-Draft-Interop-Version")).isEqualTo("6");
      assertThat(interim.header("Upload-Limit")).contains("expires=");
      c.send(ascii("abc"));
      RawHttp.Response done = c.read(false);
      assertThat(done.status()).isEqualTo(201);
      assertThat(done.header("Upload-Complete")).isEqualTo("?0");
      assertThat(done.header("Upload-Offset")).isEqualTo("3");
    }
  }

  @Test
  void withoutAnInteropVersionTheRfcRulesApplyButNo104IsSent() throws IOException {
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("POST", "/uploads/", "Upload-Complete: ?0", "Content-Length: 4")).send(ascii("rfc!"));
      RawHttp.Response first = c.read(false);
      assertThat(first.status()).as("no interim response").isEqualTo(201);
      assertThat(first.header("Upload-Offset")).isEqualTo("4");
      assertThat(first.header("Tus-Resumable")).isNull();
    }
    try (RawHttp c = new RawHttp(port)) {
      c.send("POST /uploads/ HTTP/1.0\r\nHost: localhost\r\n" + V8 + "\r\nUpload-Complete: ?1\r\n"
          + "Content-Length: 3\r\n\r\nold");
      assertThat(c.read(false).status()).as("no 1xx to an HTTP/1.0 client").isEqualTo(201);
    }
    RawHttp.Response bad = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/",
        "Upload-Draft-Interop-Version: 3", "Upload-Complete: ?1"));
    assertThat(bad.status()).as("an interop version not spoken").isEqualTo(400);
    assertThat(bad.header("Content-Type")).isEqualTo("application/problem+json");
  }

  @Test
  void anInterruptedCreationKeepsWhatArrivedAndResumesToAByteExactFile() throws Exception {
    byte[] data = new byte[50_000];
    new java.util.Random(7).nextBytes(data);
    String loc;
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("POST", "/uploads/", V8, "Upload-Complete: ?1", "Content-Length: " + data.length,
          "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.bin"));
      RawHttp.Response interim = c.read(false);
      assertThat(interim.status()).isEqualTo(104);
      loc = interim.header("Location");
      c.send(java.util.Arrays.copyOf(data, 20_000));
      Await.until("the 20000 bytes that arrived on disk", Duration.ofSeconds(10),
          () -> size(updir.resolve(".rget-uploads").resolve(loc.substring(9) + ".part")) == 20_000);
    } // the connection drops mid-body
    String l = loc;
    Await.until("the bytes that arrived recorded", Duration.ofSeconds(10), () -> offsetOrMinus(l) == 20_000);
    RawHttp.Response h = head(loc);
    assertThat(h.header("Upload-Complete")).as("an interrupted upload is never complete").isEqualTo("?0");
    assertThat(h.header("Cache-Control")).isEqualTo("no-store");
    assertThat(h.header("Upload-Length")).isEqualTo("50000");
    assertThat(h.header("Upload-Limit")).contains("max-size=100000");

    RawHttp.Response done = append(loc, 20_000, true, java.util.Arrays.copyOfRange(data, 20_000, data.length));
    assertThat(done.status()).isEqualTo(200);
    assertThat(done.header("Upload-Complete")).isEqualTo("?1");
    assertThat(Files.readAllBytes(updir.resolve("résumé.bin"))).isEqualTo(data);
  }

  @Test
  void appendsInPartsThenAnEmptyCompletingAppend() throws IOException {
    String loc = create(V8, "Upload-Complete: ?0", "Content-Disposition: inline; filename=parts.txt");
    RawHttp.Response a = append(loc, 0, false, ascii("abc"));
    assertThat(a.status()).isEqualTo(204);
    assertThat(a.header("Upload-Complete")).isEqualTo("?0");
    assertThat(a.header("Upload-Offset")).isEqualTo("3");
    assertThat(head(loc).header("Upload-Length")).as("no length declared yet").isNull();
    assertThat(append(loc, 3, false, ascii("def")).status()).isEqualTo(204);
    RawHttp.Response end = append(loc, 6, true, new byte[0]);
    assertThat(end.status()).isEqualTo(200);
    assertThat(end.header("Upload-Complete")).isEqualTo("?1");
    assertThat(Files.readString(updir.resolve("parts.txt"))).isEqualTo("abcdef");
    assertThat(head(loc).header("Upload-Length")).isEqualTo("6");
  }

  @Test
  void aMismatchingOffsetIs409WithProblemDetailsAndTheRightOffset() throws IOException {
    String loc = create(V8, "Upload-Complete: ?0");
    append(loc, 0, false, ascii("12345"));
    RawHttp.Response r = append(loc, 7, false, ascii("x"));
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.header("Upload-Offset")).isEqualTo("5");
    assertThat(r.text()).contains("\"type\":\"" + PROBLEMS + "mismatching-upload-offset\"")
        .contains("\"expected-offset\":5").contains("\"provided-offset\":7");
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("5");
  }

  @Test
  void aCompletedUploadTakesNothingMore() throws IOException {
    String loc = create(V8, "Upload-Complete: ?0");
    assertThat(append(loc, 0, true, ascii("done")).status()).isEqualTo(200);
    RawHttp.Response empty = append(loc, 4, true, new byte[0]);
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.text()).contains(PROBLEMS + "completed-upload");
    RawHttp.Response more = append(loc, 4, false, ascii("more"));
    assertThat(more.status()).isEqualTo(400);
    assertThat(more.text()).contains(PROBLEMS + "inconsistent-upload-length");
  }

  @Test
  void inconsistentLengthsAre400WithTheirProblemType() throws IOException {
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", V8, "Upload-Complete: ?1",
        "Upload-Length: 9", "Content-Length: 0"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).contains(PROBLEMS + "inconsistent-upload-length");

    RawHttp.Response longer = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", V8, "Upload-Complete: ?0",
        "Upload-Length: 2", "Content-Length: 3") + "abc");
    assertThat(longer.status()).as("a creation body longer than its Upload-Length").isEqualTo(400);
    assertThat(longer.text()).contains(PROBLEMS + "inconsistent-upload-length");

    String loc = create(V8, "Upload-Complete: ?0", "Upload-Length: 6");
    RawHttp.Response other = append(loc, 0, false, ascii("ab"), "Upload-Length: 7");
    assertThat(other.status()).isEqualTo(400);
    assertThat(other.text()).contains(PROBLEMS + "inconsistent-upload-length");
    RawHttp.Response past = append(loc, 0, false, ascii("abcdefg"));
    assertThat(past.status()).as("the offset never passes the length").isEqualTo(400);
    assertThat(past.text()).contains(PROBLEMS + "inconsistent-upload-length");
    assertThat(append(loc, 0, false, ascii("abc")).status()).isEqualTo(204);
    RawHttp.Response shortEnd = append(loc, 3, true, ascii("d"), "Upload-Length: 6");
    assertThat(shortEnd.status()).as("complete, but the content ends short of the length").isEqualTo(400);
    assertThat(shortEnd.text()).contains(PROBLEMS + "inconsistent-upload-length");
    assertThat(head(loc).header("Upload-Offset")).as("refused before any byte was taken").isEqualTo("3");
    // chunked: the shortfall shows only at the end; what arrived is kept, the upload stays open
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("PATCH", loc, V8, PARTIAL, "Upload-Offset: 3", "Upload-Complete: ?1",
          "Transfer-Encoding: chunked")).send(ascii("1\r\nd\r\n0\r\n\r\n"));
      RawHttp.Response r2 = c.read(false);
      assertThat(r2.status()).isEqualTo(400);
      assertThat(r2.text()).contains(PROBLEMS + "inconsistent-upload-length");
    }
    RawHttp.Response h = head(loc);
    assertThat(h.header("Upload-Complete")).isEqualTo("?0");
    assertThat(h.header("Upload-Offset")).isEqualTo("4");
  }

  @Test
  void malformedAppendsAreRefusedAndMoveNothing() throws IOException {
    String loc = create(V8, "Upload-Complete: ?0");
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("PATCH", loc, V8, "Content-Type: application/offset+octet-stream", "Upload-Offset: 0",
          "Upload-Complete: ?0", "Content-Length: 1")).send(ascii("x"));
      assertThat(c.read(false).status()).isEqualTo(415);
    }
    assertThat(append(loc, 0, false, ascii("x"), "Upload-Complete: yes").status())
        .as("Upload-Complete given twice / not a boolean").isEqualTo(400);
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("PATCH", loc, V8, PARTIAL, "Upload-Offset: 0", "Content-Length: 1")).send(ascii("x"));
      assertThat(c.read(false).status()).as("no Upload-Complete").isEqualTo(400);
    }
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("PATCH", loc, V8, PARTIAL, "Upload-Offset: -1", "Upload-Complete: ?0",
          "Content-Length: 1")).send(ascii("x"));
      assertThat(c.read(false).status()).isEqualTo(400);
    }
    assertThat(RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", V8, "Upload-Complete: 1")).status())
        .isEqualTo(400);
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("0");
  }

  @Test
  void contentDigestIsCheckedBeforeTheContentCounts() throws Exception {
    String loc = create(V8, "Upload-Complete: ?0");
    byte[] body = ascii("checked");
    RawHttp.Response wrong = append(loc, 0, false, body, "Content-Digest: " + digest("sha-256", ascii("other")));
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(wrong.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(wrong.header("Upload-Offset")).isEqualTo("0");
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("0");
    assertThat(append(loc, 0, false, body, "Content-Digest: sha-256=:AAAA:").status())
        .as("a digest of the wrong size").isEqualTo(400);
    assertThat(append(loc, 0, false, body, "Content-Digest: md5=:AAAA:, " + digest("sha-512", body)).status())
        .as("an unknown algorithm is ignored, sha-512 is checked").isEqualTo(204);
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("7");
  }

  @Test
  void reprDigestIsVerifiedAtCompletionAndReturned() throws Exception {
    byte[] data = ascii("the whole representation");
    String loc = create(V8, "Upload-Complete: ?0", "Repr-Digest: " + digest("sha-256", data),
        "Content-Disposition: inline; filename=\"repr.txt\"");
    append(loc, 0, false, java.util.Arrays.copyOf(data, 10));
    RawHttp.Response done = append(loc, 10, true, java.util.Arrays.copyOfRange(data, 10, data.length));
    assertThat(done.status()).isEqualTo(200);
    assertThat(done.header("Repr-Digest")).isEqualTo(digest("sha-256", data));
    assertThat(Files.readAllBytes(updir.resolve("repr.txt"))).isEqualTo(data);

    String bad = create(V8, "Upload-Complete: ?0", "Repr-Digest: " + digest("sha-256", ascii("something else")),
        "Content-Disposition: inline; filename=\"bad.txt\"");
    RawHttp.Response refused = append(bad, 0, true, data);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.header("Upload-Complete")).isEqualTo("?1");
    assertThat(updir.resolve("bad.txt")).doesNotExist();
    assertThat(head(bad).status()).as("the failed upload is discarded").isEqualTo(404);

    String wanted = create(V8, "Upload-Complete: ?0", "Want-Repr-Digest: sha-256=1, sha-512=9");
    assertThat(append(wanted, 0, true, data).header("Repr-Digest")).isEqualTo(digest("sha-512", data));
  }

  @Test
  void cancellationDeletesTheUpload() throws IOException {
    String loc = create(V8, "Upload-Complete: ?0");
    append(loc, 0, false, ascii("gone soon"));
    assertThat(RawHttp.exchange(port, RawHttp.request("DELETE", loc)).status()).isEqualTo(204);
    assertThat(head(loc).status()).isEqualTo(404);
    assertThat(append(loc, 9, true, new byte[0]).status()).isEqualTo(404);
    assertThat(filesIn(updir)).isZero();
  }

  @Test
  void overTheMaxSizeIs413WithUploadLimit() throws IOException {
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", V8, "Upload-Complete: ?0",
        "Upload-Length: 100001"));
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.header("Upload-Limit")).contains("max-size=100000");
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("POST", "/uploads/", V8, "Upload-Complete: ?0", "Content-Length: 100001"));
      RawHttp.Response early = c.read(false);
      assertThat(early.status()).as("refused before the body is read, no 104").isEqualTo(413);
    }
    String loc = create(V8, "Upload-Complete: ?0");
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("PATCH", loc, V8, PARTIAL, "Upload-Offset: 0", "Upload-Complete: ?0",
          "Transfer-Encoding: chunked"));
      byte[] chunk = new byte[60_000];
      c.send(ascii(Integer.toHexString(chunk.length) + "\r\n")).send(chunk).send(ascii("\r\n"));
      c.send(ascii(Integer.toHexString(chunk.length) + "\r\n")).send(chunk).send(ascii("\r\n0\r\n\r\n"));
      RawHttp.Response big = c.read(false);
      assertThat(big.status()).isEqualTo(413);
      assertThat(big.header("Upload-Limit")).contains("max-size=100000");
    }
    assertThat(offsetOrMinus(loc)).isLessThanOrEqualTo(100_000);
  }

  @Test
  void aSecondWriterNeverInterleavesWithTheFirst() throws Exception {
    String loc = create(V8, "Upload-Complete: ?0", "Content-Disposition: inline; filename=one.bin");
    Path part = updir.resolve(".rget-uploads").resolve(loc.substring("/uploads/".length()) + ".part");
    byte[] first = new byte[100];
    java.util.Arrays.fill(first, (byte) 'A');
    try (RawHttp a = new RawHttp(port)) {
      a.send(RawHttp.request("PATCH", loc, V8, PARTIAL, "Upload-Offset: 0", "Upload-Complete: ?1",
          "Content-Length: 100")).send(java.util.Arrays.copyOf(first, 10));
      Await.until("the first writer's bytes on disk", Duration.ofSeconds(10), () -> size(part) == 10);
      RawHttp.Response second = append(loc, 0, true, ascii("BBBBB"));
      assertThat(second.status()).isEqualTo(423);
      assertThat(second.header("Content-Type")).isEqualTo("application/problem+json");
      assertThat(RawHttp.exchange(port, RawHttp.request("DELETE", loc)).status()).isEqualTo(423);
      a.send(java.util.Arrays.copyOfRange(first, 10, 100));
      RawHttp.Response done = a.read(false);
      assertThat(done.status()).isEqualTo(200);
    }
    assertThat(Files.readAllBytes(updir.resolve("one.bin"))).isEqualTo(first);
  }

  @Test
  void tusRequestsStillGetTusAnswers() throws IOException {
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", "Upload-Length: 5"));
    assertThat(r.status()).as("no Tus-Resumable, no draft marker").isEqualTo(412);
  }

  @Test
  void aRestartedServerResumesADraftUploadFromItsDurableOffset() throws IOException {
    String loc = create(V8, "Upload-Complete: ?0", "Content-Disposition: inline; filename=later.bin",
        "Want-Repr-Digest: sha-256=5");
    assertThat(append(loc, 0, false, ascii("before ")).status()).isEqualTo(204);
    fx.close();
    fx = Fixture.start(root, b -> b.uploads(updir).uploadMaxSize(100_000));
    port = fx.server.port();
    RawHttp.Response h = head(loc);
    assertThat(h.header("Upload-Offset")).isEqualTo("7");
    assertThat(h.header("Upload-Complete")).isEqualTo("?0");
    assertThat(h.header("Upload-Length")).isNull();
    RawHttp.Response done = append(loc, 7, true, ascii("after"));
    assertThat(done.status()).isEqualTo(200);
    assertThat(done.header("Repr-Digest")).startsWith("sha-256=:");
    assertThat(Files.readString(updir.resolve("later.bin"))).isEqualTo("before after");
  }

  static long size(Path p) {
    try {
      return Files.exists(p) ? Files.size(p) : -1;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
