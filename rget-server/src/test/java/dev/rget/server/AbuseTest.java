package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Hostile and broken clients: replies stay bounded, nothing overflows, nobody pins the server. */
class AbuseTest {
  @TempDir static Path dir;
  static Fixture f;
  static final int N = Fixture.DATA_LEN;
  static final long BIG = 64L << 20;
  static final Duration IDLE = Duration.ofMillis(800);

  @BeforeAll
  static void start() throws Exception {
    f = Fixture.start(dir, b -> b.idleTimeout(IDLE));
    try (RandomAccessFile big = new RandomAccessFile(dir.resolve("big.bin").toFile(), "rw")) {
      big.setLength(BIG); // sparse: costs no disk
    }
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @AfterEach
  void serverStillHealthy() throws Exception {
    assertThat(RawHttp.get(f.port(), "/hello.txt").text()).isEqualTo("hello, world\n");
  }

  @Test
  void apacheKillerHeaderIsIgnoredAndTheReplyIsJustTheFile() throws Exception {
    // CVE-2011-3192 as published: bytes=0-,5-0,5-1,...,5-1299
    String h = "Range: bytes=0-," + IntStream.range(0, 1300).mapToObj(i -> "5-" + i).collect(Collectors.joining(","));
    RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", h);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(f.data);
  }

  @Test
  void overlappingRangesDoNotMultiplyTheReply() throws Exception {
    String h = "Range: bytes=0-," + IntStream.range(0, 99).mapToObj(i -> "5-" + (5 + i)).collect(Collectors.joining(","));
    RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", h);
    assertThat(r.status()).isEqualTo(206);
    assertThat(r.header("Content-Range")).isEqualTo("bytes 0-" + (N - 1) + "/" + N);
    assertThat(r.body()).isEqualTo(f.data);
  }

  @Test
  void manyTinyOutOfOrderOverlappingRangesStayWithinTheFileLength() throws Exception {
    // 100 ranges of 1000 bytes, 500 apart, in descending order: each overlaps its neighbours.
    String h = "Range: bytes=" + IntStream.range(0, 100).map(i -> 99 - i)
        .mapToObj(i -> i * 500 + "-" + (i * 500 + 999)).collect(Collectors.joining(","));
    RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", h);
    assertThat(r.status()).isEqualTo(206);
    assertThat(r.body().length).isLessThanOrEqualTo(N);
    assertThat(r.body()).isEqualTo(f.slice(0, 99 * 500 + 999));
  }

  @Test
  void hundredFarApartRangesGetAMultipartOfBoundedSize() throws Exception {
    String h = "Range: bytes=" + IntStream.range(0, 100).mapToObj(i -> i * 1000 + "-" + i * 1000)
        .collect(Collectors.joining(","));
    RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", h);
    assertThat(r.status()).isEqualTo(206);
    List<MultipartParser.Part> parts = MultipartParser.parse(r.body(), r.header("Content-Type"));
    assertThat(parts).hasSize(100);
    for (int i = 0; i < 100; i++) {
      assertThat(parts.get(i).data()).containsExactly(f.data[i * 1000]);
    }
    assertThat(r.body().length).isLessThan(100 + 100 * 150);
  }

  @Test
  void moreThanHundredRangesAreIgnoredWith200() throws Exception {
    String h = "Range: bytes=" + IntStream.range(0, 101).mapToObj(i -> i * 900 + "-" + i * 900)
        .collect(Collectors.joining(","));
    RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", h);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(f.data);
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "bytes=0-18446744073709551615                     | 206",
      "bytes=18446744073709551615-                      | 416",
      "bytes=18446744073709551615-18446744073709551616  | 416",
      "bytes=9223372036854775807-9223372036854775807    | 416",
      "bytes=9223372036854775806-                       | 416",
      "bytes=-9223372036854775808                       | 206",
      "bytes=-99999999999999999999999999                | 206",
      "bytes=12345678901234567890123456-12345678901234567890123457 | 416",
      "bytes=+5-10                                      | 200",
      "bytes=-+5                                        | 200",
      "bytes=5-10-15                                    | 200",
      "bytes=--5                                        | 200",
  })
  void extremeNumbersNeitherOverflowNorThrow(String range, int status) throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", "Range: " + range);
    assertThat(r.status()).isEqualTo(status);
    if (status == 206) {
      assertThat(r.body()).isEqualTo(f.data);
    }
  }

  @Test
  void sixtyFourKibRangeHeaderGets431() throws Exception {
    String h = "Range: bytes=" + "0-0,".repeat(16 * 1024);
    try (RawHttp c = new RawHttp(f.port())) {
      RawHttp.Response r = c.send(RawHttp.request("GET", "/data.bin", h)).read(false);
      assertThat(r.status()).isEqualTo(431);
      assertThat(r.header("Connection")).isEqualTo("close");
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void thousandsOfHeaderLinesGet431() throws Exception {
    String[] many = IntStream.range(0, 3000).mapToObj(i -> "X-Junk-" + i + ": y").toArray(String[]::new);
    RawHttp.Response r = RawHttp.exchange(f.port(), RawHttp.request("GET", "/data.bin", many));
    assertThat(r.status()).isEqualTo(431);
  }

  @Test
  void pipeliningFloodFromAClientThatDoesNotReadIsCutOffInsteadOfQueued() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      c.send(RawHttp.request("GET", "/data.bin").repeat(500));
      // Without reading: the server decodes one request at a time and reads no more input while
      // a reply is pending, so once the socket buffers are full nothing moves, and the idle
      // timeout closes the connection, cutting off the reply in flight.
      String me = "127.0.0.1:" + c.socket().getLocalPort() + " GET /data.bin - 200 ";
      Await.until("a cut-off reply on the flooding connection", Duration.ofSeconds(10), () ->
          f.logLines().stream().anyMatch(l -> l.contains(me) && !l.contains(me + N + " ")));
      int answered = 0;
      try {
        while (answered < 500) {
          c.read(false);
          answered++;
        }
      } catch (IOException | RuntimeException e) {
        // the server closed the connection: expected
      }
      assertThat(answered).isLessThan(500);
    }
  }

  @Test
  void stalledDownloadersDoNotBlockOthersAndAreCutAfterIdleTimeout() throws Exception {
    List<RawHttp> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        RawHttp c = new RawHttp(f.port());
        c.socket().setReceiveBufferSize(64 * 1024);
        c.send(RawHttp.request("GET", "/big.bin"));
        stalled.add(c);
      }
      // others are served meanwhile
      try (RawHttp other = new RawHttp(f.port())) {
        for (int i = 0; i < 50; i++) {
          RawHttp.Response r = other.send(RawHttp.request("GET", "/data.bin", "Range: bytes=" + i + "-" + (i + 99))).read(false);
          assertThat(r.body()).isEqualTo(f.slice(i, i + 99));
        }
      }
      // after the idle timeout with no progress, each stalled transfer is cut and logged as such
      Await.until("8 cut-off transfers in the access log", Duration.ofSeconds(15), () ->
          f.logLines().stream().filter(l -> l.contains(" /big.bin ") && !l.contains(" " + BIG + " ")).count() >= 8);
      for (RawHttp c : stalled) {
        long got = drain(c.socket().getInputStream());
        assertThat(got).isLessThan(BIG);
      }
    } finally {
      for (RawHttp c : stalled) {
        c.close();
      }
    }
  }

  @Test
  void slowlorisConnectionsDoNotBlockOthersAndTimeOut() throws Exception {
    List<RawHttp> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        RawHttp c = new RawHttp(f.port());
        c.send("GET /data.bin HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
        slow.add(c);
      }
      assertThat(RawHttp.get(f.port(), "/data.bin").body()).isEqualTo(f.data);
      for (RawHttp c : slow) {
        assertThat(c.closedByPeer()).isTrue();
      }
    } finally {
      for (RawHttp c : slow) {
        c.close();
      }
    }
  }

  @Test
  void idleKeepAliveConnectionIsClosedAfterTheTimeout() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      c.send(RawHttp.request("GET", "/hello.txt")).read(false);
      long t0 = System.nanoTime();
      assertThat(c.closedByPeer()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(IDLE.minusMillis(200));
    }
  }

  private static long drain(InputStream in) {
    long n = 0;
    byte[] buf = new byte[64 * 1024];
    try {
      int r;
      while ((r = in.read(buf)) >= 0) {
        n += r;
      }
    } catch (SocketException e) {
      // reset after the server closed: fine
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return n;
  }
}
