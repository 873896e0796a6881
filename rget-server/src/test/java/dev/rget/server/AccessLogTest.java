package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One access-log line per request, with the bytes really sent. */
class AccessLogTest {
  @TempDir static Path dir;
  static Fixture f;
  static final long BIG = 64L << 20;

  @BeforeAll
  static void start() throws Exception {
    f = Fixture.start(dir);
    try (RandomAccessFile big = new RandomAccessFile(dir.resolve("big.bin").toFile(), "rw")) {
      big.setLength(BIG);
    }
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  /** Sends one request on a fresh connection and returns the log line for it. */
  private static String lineFor(String request, boolean head) throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      c.send(request).read(head);
      String me = "127.0.0.1:" + c.socket().getLocalPort() + " ";
      Await.until("log line for " + me, Duration.ofSeconds(5),
          () -> f.logLines().stream().anyMatch(l -> l.contains(me)));
      List<String> mine = f.logLines().stream().filter(l -> l.contains(me)).toList();
      assertThat(mine).hasSize(1);
      return mine.get(0);
    }
  }

  @Test
  void rangedGetLogsAllFields() throws Exception {
    String line = lineFor(RawHttp.request("GET", "/data.bin?x=1", "Range: bytes=0-9"), false);
    assertThat(line).matches(
        "\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z 127\\.0\\.0\\.1:\\d+ GET /data\\.bin\\?x=1 \"bytes=0-9\" 206 10 \\d+\\.\\d\\dms");
  }

  @Test
  void wholeGetLogsTheFileLength() throws Exception {
    assertThat(lineFor(RawHttp.request("GET", "/data.bin"), false)).contains(" GET /data.bin - 200 100003 ");
  }

  @Test
  void headAndNotModifiedLogZeroBodyBytes() throws Exception {
    assertThat(lineFor(RawHttp.request("HEAD", "/data.bin"), true)).contains(" HEAD /data.bin - 200 0 ");
    String etag = RawHttp.get(f.port(), "/hello.txt").header("ETag");
    assertThat(lineFor(RawHttp.request("GET", "/hello.txt", "If-None-Match: " + etag), false))
        .contains(" GET /hello.txt - 304 0 ");
  }

  @Test
  void multipartLogsTheWholeBodyLength() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      RawHttp.Response r = c.send(RawHttp.request("GET", "/data.bin", "Range: bytes=0-0,5000-5000")).read(false);
      String me = "127.0.0.1:" + c.socket().getLocalPort() + " ";
      Await.until("log line", Duration.ofSeconds(5), () -> f.logLines().stream().anyMatch(l -> l.contains(me)));
      assertThat(f.logLines().stream().filter(l -> l.contains(me)).findFirst().orElseThrow())
          .contains(" 206 " + r.body().length + " ");
    }
  }

  @Test
  void abortedDownloadLogsOnlyTheBytesActuallySent() throws Exception {
    String me;
    try (RawHttp c = new RawHttp(f.port())) {
      c.send(RawHttp.request("GET", "/big.bin"));
      InputStream in = c.socket().getInputStream();
      byte[] buf = new byte[1 << 20];
      long got = 0;
      while (got < 2 << 20) {
        got += in.read(buf);
      }
      me = "127.0.0.1:" + c.socket().getLocalPort() + " GET /big.bin - 200 ";
    }
    Await.until("log line of the aborted download", Duration.ofSeconds(10),
        () -> f.logLines().stream().anyMatch(l -> l.contains(me)));
    String line = f.logLines().stream().filter(l -> l.contains(me)).findFirst().orElseThrow();
    long sent = Long.parseLong(line.substring(line.indexOf(me) + me.length()).split(" ")[0]);
    assertThat(sent).isGreaterThanOrEqualTo(2 << 20).isLessThan(BIG);
  }

  @Test
  void hostileRangeValueIsEscapedInTheLog() throws Exception {
    String line = lineFor(RawHttp.request("GET", "/hello.txt", "Range: bytes=\"x\\y\u00ff"), false);
    assertThat(line).contains("\"bytes=\\\"x\\\\y\\xff\"");
  }

  @Test
  void rejectedRequestIsLoggedToo() throws Exception {
    String line = lineFor(RawHttp.request("GET", "/hello.txt", "Range: bytes=0-1\u0001"), false);
    assertThat(line).contains(" GET /hello.txt ").contains(" 400 ");
  }

  @Test
  void quietServerLogsNothing(@TempDir Path other) throws Exception {
    ConcurrentLinkedQueue<String> sink = new ConcurrentLinkedQueue<>();
    Fixture g = Fixture.start(other, b -> b.accessLog(false).accessLogSink(sink::add));
    try {
      assertThat(RawHttp.get(g.port(), "/hello.txt").status()).isEqualTo(200);
    } finally {
      g.close(); // flushes the log, if there were one
    }
    assertThat(sink).isEmpty();
    assertThat(g.log).isEmpty();
  }

  @Test
  void defaultLogGoesToStandardOutput(@TempDir Path other) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Fixture.write(other.resolve("a.txt"), "a".getBytes(StandardCharsets.UTF_8));
      FileServer s = FileServer.start(ServerConfig.builder().root(other).port(0).build());
      try {
        RawHttp.get(s.port(), "/a.txt");
      } finally {
        s.close();
      }
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains(" GET /a.txt - 200 1 ");
  }
}
