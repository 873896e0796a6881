package dev.rget.server;

import static dev.rget.server.TusProtocolTest.OCTETS;
import static dev.rget.server.TusProtocolTest.TUS;
import static dev.rget.server.TusProtocolTest.b64;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tus creation-defer-length and concatenation, rule by rule, over a raw socket. */
class TusConcatDeferTest {
  @TempDir Path root;
  @TempDir Path updir;
  Fixture fx;
  int port;

  @BeforeEach
  void start() throws IOException {
    fx = Fixture.start(root, b -> b.uploads(updir).uploadMaxSize(1_000));
    port = fx.server.port();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  RawHttp.Response post(String... headers) throws IOException {
    return RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", headers));
  }

  String created(RawHttp.Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.header("Location");
  }

  RawHttp.Response patch(String loc, long offset, String body, String... more) throws IOException {
    String[] h = new String[more.length + 4];
    h[0] = TUS;
    h[1] = OCTETS;
    h[2] = "Upload-Offset: " + offset;
    h[3] = "Content-Length: " + body.length();
    System.arraycopy(more, 0, h, 4, more.length);
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("PATCH", loc, h)).send(body.getBytes(StandardCharsets.US_ASCII));
      return c.read(false);
    }
  }

  RawHttp.Response head(String loc) throws IOException {
    return RawHttp.exchange(port, RawHttp.request("HEAD", loc, TUS));
  }

  String partial(String body) throws IOException {
    String loc = created(post(TUS, "Upload-Concat: partial", "Upload-Length: " + body.length()));
    if (!body.isEmpty()) {
      assertThat(patch(loc, 0, body).status()).isEqualTo(204);
    }
    return loc;
  }

  long filesIn(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith(".")).count();
    }
  }

  @Test
  void deferredLengthIsShownUntilAPatchGivesIt() throws IOException {
    String loc = created(post(TUS, "Upload-Defer-Length: 1", "Upload-Metadata: filename " + b64("later.txt")));
    RawHttp.Response h = head(loc);
    assertThat(h.header("Upload-Defer-Length")).isEqualTo("1");
    assertThat(h.header("Upload-Length")).isNull();
    assertThat(h.header("Upload-Offset")).isEqualTo("0");

    assertThat(patch(loc, 0, "abc").header("Upload-Offset")).isEqualTo("3");
    assertThat(head(loc).header("Upload-Defer-Length")).isEqualTo("1");
    // the length arrives with the last PATCH, and completes the upload
    RawHttp.Response last = patch(loc, 3, "de", "Upload-Length: 5");
    assertThat(last.status()).isEqualTo(204);
    assertThat(last.header("Upload-Offset")).isEqualTo("5");
    h = head(loc);
    assertThat(h.header("Upload-Length")).isEqualTo("5");
    assertThat(h.header("Upload-Defer-Length")).isNull();
    assertThat(Files.readString(updir.resolve("later.txt"))).isEqualTo("abcde");
  }

  @Test
  void anEmptyPatchGivingTheLengthAtTheOffsetCompletes() throws IOException {
    String loc = created(post(TUS, "Upload-Defer-Length: 1", "Upload-Metadata: filename " + b64("streamed.txt")));
    assertThat(patch(loc, 0, "stream").status()).isEqualTo(204);
    RawHttp.Response end = patch(loc, 6, "", "Upload-Length: 6");
    assertThat(end.status()).isEqualTo(204);
    assertThat(end.header("Upload-Offset")).isEqualTo("6");
    assertThat(end.header("Upload-Expires")).as("complete: no expiry").isNull();
    assertThat(Files.readString(updir.resolve("streamed.txt"))).isEqualTo("stream");
  }

  @Test
  void twoFinalUploadsMayShareAPartThatIsKeptUntilBothAreAssembled() throws IOException {
    String a = partial("A");
    String b = created(post(TUS, "Upload-Concat: partial", "Upload-Length: 1"));
    String f1 = created(post(TUS, "Upload-Concat: final;" + a + " " + b, "Upload-Metadata: filename " + b64("f1")));
    String f2 = created(post(TUS, "Upload-Concat: final;" + b + " " + a, "Upload-Metadata: filename " + b64("f2")));
    assertThat(patch(b, 0, "B").status()).isEqualTo(204);
    assertThat(head(f1).header("Upload-Offset")).isEqualTo("2");
    assertThat(head(f2).header("Upload-Offset")).isEqualTo("2");
    assertThat(Files.readString(updir.resolve("f1"))).isEqualTo("AB");
    assertThat(Files.readString(updir.resolve("f2"))).isEqualTo("BA");
  }

  @Test
  void aDeferredLengthIsGivenOnceAndTheOffsetNeverPassesIt() throws IOException {
    String loc = created(post(TUS, "Upload-Defer-Length: 1"));
    assertThat(patch(loc, 0, "ab", "Upload-Length: 1").status()).as("below where the body ends").isEqualTo(400);
    assertThat(patch(loc, 0, "ab", "Upload-Length: 4").status()).isEqualTo(204);
    assertThat(patch(loc, 2, "x", "Upload-Length: 6").status()).as("a second, other length").isEqualTo(400);
    assertThat(patch(loc, 2, "xyz").status()).as("past the length now known").isEqualTo(413);
    assertThat(patch(loc, 2, "", "Upload-Length: 1").status()).as("below the offset").isEqualTo(400);
    assertThat(head(loc).header("Upload-Offset")).isEqualTo("2");
    assertThat(patch(loc, 2, "", "Upload-Length: 5000").status()).as("over Tus-Max-Size").isEqualTo(413);
    assertThat(post(TUS, "Upload-Defer-Length: 1", OCTETS, "Content-Length: 1001").status())
        .as("a creation body over Tus-Max-Size").isEqualTo(413);
  }

  @Test
  void partialUploadsConcatenateInOrderIntoUpdir() throws IOException {
    String a = partial("hello ");
    String b = partial("big ");
    String c = partial("world");
    RawHttp.Response h = head(a);
    assertThat(h.header("Upload-Concat")).isEqualTo("partial");
    assertThat(filesIn(updir)).as("complete parts stay hidden").isZero();

    String fin = created(post(TUS, "Upload-Concat: final;" + c + " http://localhost/uploads/"
        + a.substring("/uploads/".length()) + " " + b, "Upload-Metadata: filename " + b64("joined.txt")));
    assertThat(Files.readString(updir.resolve("joined.txt"))).isEqualTo("worldhello big ");
    RawHttp.Response fh = head(fin);
    assertThat(fh.status()).isEqualTo(200);
    assertThat(fh.header("Upload-Offset")).isEqualTo("15");
    assertThat(fh.header("Upload-Length")).isEqualTo("15");
    assertThat(fh.header("Upload-Concat")).isEqualTo("final;" + c + " " + a + " " + b);
    assertThat(filesIn(updir)).isEqualTo(1);
    // the parts were used up
    assertThat(head(a).status()).isEqualTo(404);
  }

  @Test
  void aFinalUploadCreatedBeforeItsPartsFinishWaitsWithoutAnOffset() throws IOException {
    String a = partial("12");
    String b = created(post(TUS, "Upload-Concat: partial", "Upload-Length: 3"));
    assertThat(patch(b, 0, "3").status()).isEqualTo(204);
    String fin = created(post(TUS, "Upload-Concat: final;" + a + " " + b,
        "Upload-Metadata: filename " + b64("waited.txt")));
    RawHttp.Response h = head(fin);
    assertThat(h.status()).isEqualTo(200);
    assertThat(h.header("Upload-Offset")).isNull();
    assertThat(h.header("Upload-Length")).isEqualTo("5");
    assertThat(updir.resolve("waited.txt")).doesNotExist();

    assertThat(patch(fin, 0, "x").status()).as("PATCH on a final upload").isEqualTo(403);
    assertThat(patch(b, 1, "45").status()).isEqualTo(204); // the last part completes: the final is assembled
    assertThat(Files.readString(updir.resolve("waited.txt"))).isEqualTo("12345");
    assertThat(head(fin).header("Upload-Offset")).isEqualTo("5");
    assertThat(patch(fin, 5, "").status()).as("PATCH on a final upload, even complete").isEqualTo(403);
  }

  @Test
  void finalUploadUrlsAreHostileInput() throws IOException {
    String a = partial("ab");
    String plain = created(post(TUS, "Upload-Length: 2"));
    String id = a.substring("/uploads/".length());
    String[] bad = {
        "final;",                                               // names nothing
        "final; ",                                              // likewise
        "final",                                                // no list
        "partial;x",                                            // not a role
        "final;" + a + " " + a,                                 // twice
        "final;http://evil.example/uploads/" + id,              // another origin
        "final;http://localhost:1/uploads/" + id,               // another port
        "final;ftp://localhost/uploads/" + id,                  // another scheme
        "final;/uploads/" + id + "?x=1",                        // a query
        "final;/uploads/../uploads/" + id,                      // dot segments
        "final;/uploads/%41" + id.substring(1),                 // an escape
        "final;/files/" + id,                                   // not the endpoint
        "final;/uploads/AAAAAAAAAAAAAAAAAAAAAA",                // no such upload
        "final;" + plain,                                       // not a partial upload
        "final;" + a + " /uploads/" + id + "x",                 // a malformed id
    };
    for (String v : bad) {
      RawHttp.Response r = post(TUS, "Upload-Concat: " + v);
      assertThat(r.status()).as(v).isEqualTo(400);
    }
    StringBuilder many = new StringBuilder("final;");
    for (int i = 0; i < 257; i++) {
      many.append(i == 0 ? "" : " ").append(a);
    }
    assertThat(post(TUS, "Upload-Concat: " + many).status()).as("over the part count").isIn(400, 431);
    assertThat(post(TUS, "Upload-Concat: final;" + a, "Upload-Length: 2").status())
        .as("a final upload with a length").isEqualTo(400);
    // nothing of this touched the part
    assertThat(head(a).header("Upload-Offset")).isEqualTo("2");
    assertThat(filesIn(updir)).isZero();
  }

  @Test
  void partsOverTheMaxSizeTogetherAre413() throws IOException {
    String a = created(post(TUS, "Upload-Concat: partial", "Upload-Length: 600"));
    String b = created(post(TUS, "Upload-Concat: partial", "Upload-Length: 600"));
    assertThat(post(TUS, "Upload-Concat: final;" + a + " " + b).status()).isEqualTo(413);
    String d = created(post(TUS, "Upload-Concat: partial", "Upload-Defer-Length: 1"));
    assertThat(post(TUS, "Upload-Concat: final;" + d).status()).as("a part of unknown length").isEqualTo(400);
  }

  @Test
  void completePartsAndAWaitingFinalSurviveARestart() throws IOException {
    String a = partial("first,");
    String b = created(post(TUS, "Upload-Concat: partial", "Upload-Length: 6"));
    assertThat(patch(b, 0, "sec").status()).isEqualTo(204);
    String deferred = created(post(TUS, "Upload-Defer-Length: 1"));
    assertThat(patch(deferred, 0, "x").status()).isEqualTo(204);
    String fin = created(post(TUS, "Upload-Concat: final;" + a, "Upload-Metadata: filename " + b64("one.txt")));
    assertThat(Files.readString(updir.resolve("one.txt"))).isEqualTo("first,");
    String a2 = partial("again,");
    String fin2 = created(post(TUS, "Upload-Concat: final;" + a2 + " " + b,
        "Upload-Metadata: filename " + b64("two.txt")));
    fx.close();
    fx = Fixture.start(root, x -> x.uploads(updir).uploadMaxSize(1_000));
    port = fx.server.port();
    assertThat(head(fin).header("Upload-Offset")).isEqualTo("6");
    RawHttp.Response h = head(a2);
    assertThat(h.status()).as("a complete part is kept hidden across a restart").isEqualTo(200);
    assertThat(h.header("Upload-Concat")).isEqualTo("partial");
    RawHttp.Response hd = head(deferred);
    assertThat(hd.header("Upload-Defer-Length")).isEqualTo("1");
    assertThat(hd.header("Upload-Offset")).isEqualTo("1");
    assertThat(head(b).header("Upload-Offset")).isEqualTo("3");
    assertThat(head(fin2).header("Upload-Offset")).isNull();
    assertThat(patch(b, 3, "ond").status()).isEqualTo(204);
    assertThat(Files.readString(updir.resolve("two.txt"))).isEqualTo("again,second");
    assertThat(head(fin2).header("Upload-Offset")).isEqualTo("12");
  }
}
