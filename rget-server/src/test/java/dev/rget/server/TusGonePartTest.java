package dev.rget.server;

import static dev.rget.server.TusProtocolTest.OCTETS;
import static dev.rget.server.TusProtocolTest.TUS;
import static dev.rget.server.TusProtocolTest.b64;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A final tus upload whose partial upload goes (swept after its expiry, or terminated) before the
 * final could be assembled: the final can never complete, so it goes too and answers as a gone
 * upload does (410 while expired, 404 once removed), never 500, never waiting for ever. Expiry is
 * read from a clock the test moves, so which upload has expired is decided, not raced.
 */
class TusGonePartTest {
  static final Duration EXPIRY = Duration.ofMinutes(10);

  @TempDir Path root;
  @TempDir Path updir;
  final TestClock clock = new TestClock();
  Fixture fx;
  int port;

  @BeforeEach
  void start() throws IOException {
    startServer();
  }

  void startServer() throws IOException {
    fx = Fixture.start(root, b -> b.uploads(updir).uploadMaxSize(1_000).uploadExpiry(EXPIRY).uploadClock(clock));
    port = fx.server.port();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  void aFinalWhosePartWasSweptIsRemovedWithIt() throws IOException {
    String a = partial("ab");
    clock.advance(Duration.ofMinutes(6));
    String b = created(post(TUS, "Upload-Concat: partial", "Upload-Length: 3"));
    assertThat(patch(b, 0, "x").status()).isEqualTo(204);
    String fin = created(post(TUS, "Upload-Concat: final;" + a + " " + b, "Upload-Metadata: filename " + b64("f.txt")));
    clock.advance(Duration.ofMinutes(5)); // a expired, b and the final did not
    fx.server.sweepUploads();

    assertThat(head(a).status()).isEqualTo(404);
    RawHttp.Response h = head(fin);
    assertThat(h.status()).as(h.text()).isEqualTo(404);
    assertThat(patch(fin, 0, "x").status()).isEqualTo(404);
    assertThat(delete(fin).status()).isEqualTo(404);
    assertThat(hidden(fin)).as("the final's record and data are gone").isFalse();
    // the other part is the client's still, and finishing it assembles nothing
    assertThat(head(b).status()).isEqualTo(200);
    assertThat(patch(b, 1, "yz").status()).isEqualTo(204);
    assertThat(updir.resolve("f.txt")).doesNotExist();
  }

  @Test
  void aFinalWhosePartExpiredIs410ThenSweptTo404() throws IOException {
    String b = created(post(TUS, "Upload-Concat: partial", "Upload-Length: 3"));
    assertThat(patch(b, 0, "x").status()).isEqualTo(204);
    clock.advance(Duration.ofMinutes(6));
    String a = partial("ab");
    String fin = created(post(TUS, "Upload-Concat: final;" + a + " " + b, "Upload-Metadata: filename " + b64("f.txt")));
    clock.advance(Duration.ofMinutes(5)); // b expired unfinished: the final can never complete

    RawHttp.Response h = head(fin);
    assertThat(h.status()).as(h.text()).isEqualTo(410);
    assertThat(patch(fin, 0, "x").status()).isEqualTo(410);
    assertThat(head(b).status()).isEqualTo(410);
    assertThat(head(a).status()).as("the complete part is the client's still").isEqualTo(200);
    fx.server.sweepUploads();
    assertThat(head(fin).status()).isEqualTo(404);
    assertThat(hidden(fin)).isFalse();
    assertThat(updir.resolve("f.txt")).doesNotExist();
  }

  @Test
  void terminatingAPartRemovesTheFinalsWaitingForItOnly() throws IOException {
    String a = partial("ab");
    String b = created(post(TUS, "Upload-Concat: partial", "Upload-Length: 3"));
    String fin = created(post(TUS, "Upload-Concat: final;" + a + " " + b, "Upload-Metadata: filename " + b64("f.txt")));
    String other = created(post(TUS, "Upload-Concat: final;" + b, "Upload-Metadata: filename " + b64("g.txt")));
    assertThat(delete(a).status()).isEqualTo(204);

    assertThat(hidden(fin)).as("removed with the part, before anyone asks").isFalse();
    RawHttp.Response h = head(fin);
    assertThat(h.status()).as(h.text()).isEqualTo(404);
    assertThat(patch(fin, 0, "x").status()).isEqualTo(404);
    RawHttp.Response o = head(other);
    assertThat(o.status()).as("a final not naming it waits on").isEqualTo(200);
    assertThat(o.header("Upload-Offset")).isNull();
    assertThat(patch(b, 0, "xyz").status()).isEqualTo(204);
    assertThat(Files.readString(updir.resolve("g.txt"))).isEqualTo("xyz");
    assertThat(head(other).header("Upload-Offset")).isEqualTo("3");
    assertThat(updir.resolve("f.txt")).doesNotExist();
  }

  @Test
  void aWaitingFinalWhosePartIsGoneAtRestartIsRemovedByTheFirstSweep() throws Exception {
    String a = partial("ab");
    String b = created(post(TUS, "Upload-Concat: partial", "Upload-Length: 3"));
    String fin = created(post(TUS, "Upload-Concat: final;" + a + " " + b, "Upload-Metadata: filename " + b64("f.txt")));
    fx.close();
    // as an earlier server, which swept parts without their finals, left the directory
    Files.delete(hiddenDir().resolve(id(a) + ".info"));
    Files.delete(hiddenDir().resolve(id(a) + ".part"));
    startServer();

    Await.until("the sweep at start", Duration.ofSeconds(10), () -> !hidden(fin));
    RawHttp.Response h = head(fin);
    assertThat(h.status()).as(h.text()).isEqualTo(404);
    assertThat(head(b).status()).isEqualTo(200);
  }

  @Test
  void aFinalWhosePartsAreCompleteIsAssembledEvenIfOneIsDueToBeSwept() throws IOException {
    String a = partial("ab");
    clock.advance(Duration.ofMinutes(11)); // a is past its expiry, not swept yet
    String c = partial("c");
    String unfinished = created(post(TUS, "Upload-Concat: partial", "Upload-Length: 1"));
    RawHttp.Response refused = post(TUS, "Upload-Concat: final;" + a + " " + unfinished);
    assertThat(refused.status()).as("it would wait past a's sweep").isEqualTo(400);
    assertThat(refused.text()).contains("expired");
    String fin = created(post(TUS, "Upload-Concat: final;" + a + " " + c, "Upload-Metadata: filename " + b64("f.txt")));
    assertThat(Files.readString(updir.resolve("f.txt"))).isEqualTo("abc");
    assertThat(head(fin).header("Upload-Offset")).isEqualTo("3");
  }

  /**
   * The DELETE of a part races the assembly the last part's PATCH starts: either outcome is fine,
   * a 500 or a final waiting for ever is not. (It caught a find loading a part's record again
   * while the DELETE was removing it: an upload answered for with its data gone.)
   */
  @Test
  void aPartTerminatedWhileTheLastPartCompletesEitherAssemblesOrEndsTheFinal() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int i = 0; i < 40; i++) {
        String a = partial("ab");
        String b = created(post(TUS, "Upload-Concat: partial", "Upload-Length: 2"));
        assertThat(patch(b, 0, "c").status()).isEqualTo(204);
        String name = "race" + i;
        String fin = created(post(TUS, "Upload-Concat: final;" + a + " " + b, "Upload-Metadata: filename " + b64(name)));
        CyclicBarrier go = new CyclicBarrier(2);
        Future<RawHttp.Response> last = pool.submit(() -> {
          go.await();
          return patch(b, 1, "d");
        });
        int round = i;
        Future<RawHttp.Response> gone = pool.submit(() -> {
          go.await();
          for (int k = 0; k < round % 4; k++) {
            head(a); // round trips before the DELETE: it lands at other points of the assembly
          }
          return delete(a);
        });
        assertThat(last.get(10, TimeUnit.SECONDS).status()).isEqualTo(204);
        assertThat(gone.get(10, TimeUnit.SECONDS).status()).as("the part goes, was used up, or is being").isIn(204, 404, 423);
        RawHttp.Response h = head(fin);
        if (h.status() == 200) {
          assertThat(h.header("Upload-Offset")).as("assembled, not waiting").isEqualTo("4");
          assertThat(Files.readString(updir.resolve(name))).isEqualTo("abcd");
        } else {
          assertThat(h.status()).as(h.text()).isEqualTo(404);
          assertThat(updir.resolve(name)).doesNotExist();
          assertThat(hidden(fin)).isFalse();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // --- helpers

  RawHttp.Response post(String... headers) throws IOException {
    return RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", headers));
  }

  static String created(RawHttp.Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.header("Location");
  }

  RawHttp.Response patch(String loc, long offset, String body) throws IOException {
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: " + offset, "Content-Length: " + body.length()))
          .send(body.getBytes(StandardCharsets.US_ASCII));
      return c.read(false);
    }
  }

  RawHttp.Response head(String loc) throws IOException {
    return RawHttp.exchange(port, RawHttp.request("HEAD", loc, TUS));
  }

  RawHttp.Response delete(String loc) throws IOException {
    return RawHttp.exchange(port, RawHttp.request("DELETE", loc, TUS));
  }

  /** A complete partial upload of {@code body}. */
  String partial(String body) throws IOException {
    String loc = created(post(TUS, "Upload-Concat: partial", "Upload-Length: " + body.length()));
    assertThat(patch(loc, 0, body).status()).isEqualTo(204);
    return loc;
  }

  Path hiddenDir() {
    return updir.resolve(".rget-uploads");
  }

  static String id(String loc) {
    return loc.substring("/uploads/".length());
  }

  /** Whether the upload at {@code loc} still has a record or data in the hidden directory. */
  boolean hidden(String loc) {
    return Files.exists(hiddenDir().resolve(id(loc) + ".info")) || Files.exists(hiddenDir().resolve(id(loc) + ".part"));
  }

  /** A clock that moves only when the test says so. */
  static final class TestClock extends Clock {
    private final AtomicLong millis = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());

    void advance(Duration d) {
      millis.addAndGet(d.toMillis());
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException("not needed here");
    }
  }
}
