package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole request head has a deadline (here 600 ms; 10 s by default), counted from the accept
 * for a connection's first request and from the first byte of each later one, and never while the
 * server is busy sending a reply. Past it: 408 and close; a connection that sent nothing is closed
 * without a reply. Idle keep-alive connections are governed by the idle timeout instead.
 */
class HeadDeadlineTest {
  static final Duration HEAD = Duration.ofMillis(600);
  static final long BIG = 8L << 20;
  @TempDir static Path dir;
  static Fixture f;

  @BeforeAll
  static void start() throws Exception {
    f = Fixture.start(dir, b -> b.headTimeout(HEAD).idleTimeout(Duration.ofSeconds(5)));
    try (RandomAccessFile big = new RandomAccessFile(dir.resolve("big.bin").toFile(), "rw")) {
      big.setLength(BIG);
    }
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void aHeadThatNeverEndsGets408AndTheConnectionCloses() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      long t0 = System.nanoTime();
      c.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
      RawHttp.Response r = c.read(false);
      assertThat(r.status()).isEqualTo(408);
      assertThat(r.header("Connection")).isEqualTo("close");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(HEAD.minusMillis(100), HEAD.plusSeconds(2));
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void tricklingBytesDoesNotExtendTheDeadline() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      long t0 = System.nanoTime();
      c.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
      for (int i = 0; i < 12; i++) {
        Thread.sleep(100);
        c.send("a"); // more often than any per-read timeout would allow
      }
      RawHttp.Response r = c.read(false);
      assertThat(r.status()).isEqualTo(408);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(HEAD.plusSeconds(2));
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosedWithoutAReply() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      long t0 = System.nanoTime();
      assertThat(c.socket().getInputStream().read()).as("EOF, no reply").isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(HEAD.minusMillis(100), HEAD.plusSeconds(2));
    }
  }

  @Test
  void anIdleKeepAliveConnectionOutlivesTheHeadDeadline() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      assertThat(c.send(RawHttp.request("GET", "/hello.txt")).read(false).status()).isEqualTo(200);
      Thread.sleep(HEAD.toMillis() * 2);
      assertThat(c.send(RawHttp.request("GET", "/hello.txt")).read(false).status()).isEqualTo(200);
    }
  }

  @Test
  void emptyLinesBetweenRequestsDoNotStartADeadline() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      assertThat(c.send(RawHttp.request("GET", "/hello.txt") + "\r\n").read(false).status()).isEqualTo(200);
      Thread.sleep(HEAD.toMillis() * 2);
      assertThat(c.send(RawHttp.request("GET", "/hello.txt")).read(false).status()).isEqualTo(200);
    }
  }

  @Test
  void aLaterHeadHasItsOwnDeadlineFromItsFirstByte() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      assertThat(c.send(RawHttp.request("GET", "/hello.txt")).read(false).status()).isEqualTo(200);
      Thread.sleep(HEAD.toMillis() * 2);
      long t0 = System.nanoTime();
      c.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n");
      RawHttp.Response r = c.read(false);
      assertThat(r.status()).isEqualTo(408);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(HEAD.minusMillis(100));
    }
  }

  @Test
  void theDeadlineDoesNotRunWhileTheServerIsSendingAReply() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      c.socket().setReceiveBufferSize(64 * 1024);
      // A big reply, and right behind it the start of the next request.
      c.send(RawHttp.request("GET", "/big.bin") + "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n");
      Thread.sleep(HEAD.toMillis() * 2); // not reading: the server is stuck sending big.bin
      RawHttp.Response big = c.read(false);
      assertThat(big.body()).hasSize((int) BIG);
      c.send("\r\n"); // the second head completes now, well within its own deadline
      assertThat(c.read(false).text()).isEqualTo("hello, world\n");
    }
  }
}
