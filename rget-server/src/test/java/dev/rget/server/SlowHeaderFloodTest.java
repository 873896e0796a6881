package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8's flood, against {@code rget serve}'s configuration in a child JVM with the launcher's
 * 96 MiB heap, while an ordinary client keeps making requests:
 *
 * <ol>
 *   <li>As reported: 800 connections each send a request line and 15 KiB of headers as 1,200 tiny
 *       fields, then one byte a second, never finishing the head. Before the fix the network
 *       threads died of OutOfMemoryError within seconds and the server never answered again. Now
 *       each gets 431 at its 101st field.
 *   <li>The worst the limits allow: 800 connections each holding 15 KiB of headers that are
 *       accepted (98 fields of 150 bytes, or one field of 15,000 bytes), one byte a second. All
 *       are held at once (the default cap is above 800), the heap each pins stays under
 *       {@link Limits#CONNECTION_HEAP}, and each gets 408 at the head deadline (10 s).
 * </ol>
 *
 * <p>Throughout, ordinary requests are answered within 5 s, half the slow connections' head
 * deadline (a starved client would wait for that deadline; 2 s failed on a loaded machine);
 * afterwards the server serves normally.
 * Bounded: each flood stops by itself (all answered, or 15 s).
 */
class SlowHeaderFloodTest {
  static final int FLOOD = 800;
  static final Duration MAX_FLOOD = Duration.ofSeconds(15);
  static final Duration ORDINARY_WITHIN = Duration.ofSeconds(5);

  @TempDir Path dir;

  @Test
  void eightHundredSlowHeaderConnectionsNeitherStarveOrdinaryRequestsNorBreakTheServer() throws Exception {
    byte[] data = Fixture.randomBytes(1 << 20, 8);
    Files.write(dir.resolve("data.bin"), data);
    Files.writeString(dir.resolve("hello.txt"), "hello, world\n");
    try (ChildServer server = ChildServer.start(dir)) {
      assertThat(server.maxConnections).as("default cap with -Xmx96m").isGreaterThan(FLOOD + 50);
      long heapBefore = server.heapAfterGc();
      Prober prober = new Prober(server.port, data);
      prober.start();
      long heapDuring;
      int openDuring;
      try {
        try (SlowHeaderFlood flood = SlowHeaderFlood.open(server.port, FLOOD, SlowHeaderFlood.TINY_FIELDS)) {
          flood.trickleUntilAnswered(MAX_FLOOD);
          assertThat(flood.answeredWith("HTTP/1.1 431 ")).as("tiny-field heads refused with 431").isEqualTo(FLOOD);
        }
        awaitNoConnections(server);
        try (SlowHeaderFlood flood = SlowHeaderFlood.open(server.port, FLOOD,
            SlowHeaderFlood.MANY_FIELDS, SlowHeaderFlood.ONE_LONG_FIELD)) {
          Thread.sleep(500);
          openDuring = server.openConnections();
          heapDuring = server.heapAfterGc();
          flood.trickleUntilAnswered(MAX_FLOOD);
          assertThat(flood.waiting()).as("slow connections still unanswered after " + MAX_FLOOD).isZero();
          assertThat(flood.answeredWith("HTTP/1.1 408 ")).as("answered 408 Request Timeout").isEqualTo(FLOOD);
        }
      } finally {
        prober.stopAfter(Duration.ofSeconds(1));
      }
      long perConnection = (heapDuring - heapBefore) / FLOOD;
      System.out.printf("flood: %d connections open, %d KiB of heap each; ordinary requests: %d,"
          + " slowest %d ms%n", openDuring, perConnection / 1024, prober.count.get(), prober.slowestMillis.get());
      assertThat(openDuring).as("all slow connections accepted").isGreaterThanOrEqualTo(FLOOD);
      assertThat(perConnection).as("heap per slow connection").isLessThan(Limits.CONNECTION_HEAP);
      assertThat(prober.failures.get()).as("ordinary requests that failed: " + prober.firstFailure).isZero();
      assertThat(prober.count.get()).as("ordinary requests made during the floods").isGreaterThan(50);
      assertThat(prober.slowestMillis.get()).as("slowest ordinary request, ms").isLessThan(ORDINARY_WITHIN.toMillis());

      // After the flood: fully usable, nothing left over.
      awaitNoConnections(server);
      for (int i = 0; i < 20; i++) {
        assertThat(RawHttp.get(server.port, "/hello.txt").text()).isEqualTo("hello, world\n");
      }
      assertThat(RawHttp.get(server.port, "/data.bin").body()).isEqualTo(data);
      assertThat(RawHttp.get(server.port, "/").text()).contains("data.bin");
      assertThat(server.failure()).isEqualTo("none");
      assertThat(server.alive()).isTrue();
    }
  }

  private static void awaitNoConnections(ChildServer server) throws InterruptedException {
    Await.until("flood connections closed", Duration.ofSeconds(5), () -> {
      try {
        return server.openConnections() <= 1; // the ordinary client's, perhaps
      } catch (Exception e) {
        return false;
      }
    });
  }

  /** Ordinary clients: a new connection every 100 ms, each a small GET and a ranged GET. */
  static final class Prober extends Thread {
    final int port;
    final byte[] data;
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger count = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicLong slowestMillis = new AtomicLong();
    volatile String firstFailure;

    Prober(int port, byte[] data) {
      super("ordinary-client");
      this.port = port;
      this.data = data;
      setDaemon(true);
    }

    @Override
    public void run() {
      while (!stop.get()) {
        long t0 = System.nanoTime();
        try (RawHttp c = new RawHttp(port)) {
          c.socket().setSoTimeout(5_000);
          RawHttp.Response a = c.send(RawHttp.request("GET", "/hello.txt")).read(false);
          RawHttp.Response b = c.send(RawHttp.request("GET", "/data.bin", "Range: bytes=1000-1999")).read(false);
          if (a.status() != 200 || b.status() != 206 || b.body()[0] != data[1000]) {
            fail("statuses " + a.status() + ", " + b.status());
          }
        } catch (Exception e) {
          fail(e.toString());
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        slowestMillis.accumulateAndGet(ms, Math::max);
        count.incrementAndGet();
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private void fail(String why) {
      if (failures.getAndIncrement() == 0) {
        firstFailure = why;
      }
    }

    void stopAfter(Duration d) throws InterruptedException {
      Thread.sleep(d.toMillis());
      stop.set(true);
      join(10_000);
    }
  }
}
