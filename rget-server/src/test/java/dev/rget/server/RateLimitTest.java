package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --limit-rate}: bodies are paced per connection and still byte-exact. */
class RateLimitTest {
  @TempDir static Path dir;
  static Fixture f;
  static final long RATE = 256 * 1024;
  static byte[] half;

  @BeforeAll
  static void start() throws Exception {
    f = Fixture.start(dir, b -> b.limitRatePerConnection(RATE));
    half = Fixture.randomBytes(512 * 1024, 7);
    Fixture.write(dir.resolve("half.bin"), half);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static Duration time(ThrowingRunnable r) throws Exception {
    long t0 = System.nanoTime();
    r.run();
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void wholeFileIsPacedToTheRateAndExact() throws Exception {
    Duration d = time(() -> assertThat(RawHttp.get(f.port(), "/half.bin").body()).isEqualTo(half));
    // 512 KiB at 256 KiB/s with one 16 KiB chunk of burst: at least ~1.9 s. (No upper bound:
    // a loaded machine only makes it slower, and pacing is about the lower one.)
    assertThat(d).isGreaterThan(Duration.ofMillis(1700));
  }

  @Test
  void rateIsPerConnectionNotShared() throws Exception {
    Duration alone = time(() -> assertThat(fetch("bytes=0-262143"))
        .isEqualTo(java.util.Arrays.copyOfRange(half, 0, 262144)));
    Duration both = time(() -> {
      CompletableFuture<byte[]> a = CompletableFuture.supplyAsync(() -> fetch("bytes=0-262143"));
      CompletableFuture<byte[]> b = CompletableFuture.supplyAsync(() -> fetch("bytes=262144-524287"));
      assertThat(a.get()).isEqualTo(java.util.Arrays.copyOfRange(half, 0, 262144));
      assertThat(b.get()).isEqualTo(java.util.Arrays.copyOfRange(half, 262144, 524288));
    });
    // Each 256 KiB at 256 KiB/s: ~1 s alone, and ~1 s for two in parallel; a shared limit would
    // need ~2 s for the two. Compared with a run alone just before, not with a wall-clock
    // figure, so that a loaded machine slows both sides alike.
    assertThat(alone).isGreaterThan(Duration.ofMillis(800));
    assertThat(both.toNanos()).as("two in parallel (%s) against one alone (%s)", both, alone)
        .isLessThan(alone.toNanos() * 3 / 2);
  }

  private static byte[] fetch(String range) {
    try {
      return RawHttp.get(f.port(), "/half.bin", "Range: " + range).body();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @Test
  void multipartIsPacedAndExact() throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", "Range: bytes=0-99,50000-50099,-100");
    var parts = MultipartParser.parse(r.body(), r.header("Content-Type"));
    assertThat(parts).hasSize(3);
    assertThat(parts.get(1).data()).isEqualTo(f.slice(50000, 50099));
    assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(r.body().length));
  }

  @Test
  void pacedRepliesKeepTheConnectionUsableAndAreLogged() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      assertThat(c.send(RawHttp.request("GET", "/data.bin")).read(false).body()).isEqualTo(f.data);
      assertThat(c.send(RawHttp.request("GET", "/hello.txt")).read(false).text()).isEqualTo("hello, world\n");
      String me = "127.0.0.1:" + c.socket().getLocalPort() + " GET /data.bin - 200 100003 ";
      Await.until("log line", Duration.ofSeconds(5), () -> f.logLines().stream().anyMatch(l -> l.contains(me)));
    }
  }
}
