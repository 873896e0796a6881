package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At most {@code maxConnections} at once. Beyond it a new connection takes the slot of the one
 * that has waited longest for a request head (past {@link ConnectionLimiter#GRACE_NANOS}); when
 * every connection is serving a request, new ones wait until one is done.
 */
class ConnectionCapTest {
  @TempDir Path dir;

  @Test
  void atTheCapANewConnectionTakesTheSlotOfTheLongestIdleOne() throws Exception {
    try (Fixture f = Fixture.start(dir, b -> b.maxConnections(3))) {
      List<RawHttp> held = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          RawHttp c = new RawHttp(f.port());
          c.send(RawHttp.request("GET", "/hello.txt")).read(false); // accepted and kept alive
          held.add(c);
        }
        assertThat(f.server.openConnections()).isEqualTo(3);
        long t0 = System.nanoTime();
        try (RawHttp fourth = new RawHttp(f.port())) {
          fourth.send(RawHttp.request("GET", "/hello.txt"));
          fourth.socket().setSoTimeout(10_000);
          assertThat(fourth.read(false).text()).isEqualTo("hello, world\n");
          // Served without any of the three closing on its own, once the oldest's grace is over.
          assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(ConnectionLimiter.GRACE_NANOS / 2);
          held.get(0).socket().setSoTimeout(5_000);
          assertThat(held.get(0).closedByPeer()).as("the longest idle connection is closed").isTrue();
          for (RawHttp c : held.subList(1, 3)) { // the others keep their slots
            assertThat(c.send(RawHttp.request("GET", "/hello.txt")).read(false).status()).isEqualTo(200);
          }
          assertThat(f.server.openConnections()).isEqualTo(3);
        }
      } finally {
        for (RawHttp c : held) {
          c.close();
        }
      }
      Await.until("connections counted down", Duration.ofSeconds(5), () -> f.server.openConnections() == 0);
    }
  }

  @Test
  void slowHeadsAtTheCapDoNotKeepAClientOutUntilTheirDeadline() throws Exception {
    // The head deadline is a minute: only taking their slots can let the client in within seconds.
    try (Fixture f = Fixture.start(dir, b -> b.maxConnections(4).headTimeout(Duration.ofMinutes(1)))) {
      List<RawHttp> slow = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          RawHttp c = new RawHttp(f.port());
          c.send("GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nX-Slow: "); // never finished
          slow.add(c);
        }
        Await.until("four slow connections accepted", Duration.ofSeconds(5), () -> f.server.openConnections() == 4);
        long t0 = System.nanoTime();
        try (RawHttp client = new RawHttp(f.port())) {
          client.socket().setSoTimeout(10_000);
          assertThat(client.send(RawHttp.request("GET", "/data.bin")).read(false).body()).isEqualTo(f.data);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        // The four were accepted together: which of them waited longest is the server's to say
        // (each is registered on its own event loop), so one of them has been closed.
        int closed = 0;
        for (RawHttp c : slow) {
          c.socket().setSoTimeout(1_000);
          closed += c.closedByPeer() ? 1 : 0;
        }
        assertThat(closed).as("slow heads closed to let the client in").isGreaterThanOrEqualTo(1);
      } finally {
        for (RawHttp c : slow) {
          c.close();
        }
      }
    }
  }

  @Test
  void connectionsServingARequestKeepTheirSlots() throws Exception {
    // Two connections each receive a 100 KB file at 20 KB/s (about 5 s): they are serving, not
    // waiting, so a third connection is not let in until one of them is done.
    try (Fixture f = Fixture.start(dir, b -> b.maxConnections(2).limitRatePerConnection(20_000))) {
      List<RawHttp> busy = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          RawHttp c = new RawHttp(f.port());
          c.send(RawHttp.request("GET", "/data.bin"));
          busy.add(c);
        }
        Await.until("two transfers under way", Duration.ofSeconds(5), () -> f.server.openConnections() == 2);
        try (RawHttp third = new RawHttp(f.port())) {
          third.send(RawHttp.request("GET", "/hello.txt"));
          third.socket().setSoTimeout((int) (3 * ConnectionLimiter.GRACE_NANOS / 1_000_000));
          try {
            third.read(false);
            throw new AssertionError("a third connection was served while two were serving at a cap of 2");
          } catch (SocketTimeoutException expected) {
            // still in the backlog: nothing could make room
          }
          for (RawHttp c : busy) {
            c.socket().setSoTimeout(30_000);
            assertThat(c.read(false).body()).as("a transfer at the cap, never cut").isEqualTo(f.data);
          }
          third.socket().setSoTimeout(10_000);
          assertThat(third.read(false).text()).isEqualTo("hello, world\n");
        }
      } finally {
        for (RawHttp c : busy) {
          c.close();
        }
      }
    }
  }

  @Test
  void theDefaultCapIsSizedToTheHeap() {
    long mib = 1 << 20;
    // The launcher's heap: room for issue 8's 800 slow connections and more.
    assertThat(Limits.defaultMaxConnections(96 * mib, 96 * mib, 20_000, false)).isBetween(850, 950);
    assertThat(Limits.defaultMaxConnections(96 * mib, 96 * mib, 20_000, true)).isLessThan(850);
    // Four times the heap, four times the connections.
    assertThat(Limits.defaultMaxConnections(384 * mib, 384 * mib, 100_000, false)).isBetween(3400, 3800);
    // Never more than half the file descriptors, never fewer than 64.
    assertThat(Limits.defaultMaxConnections(4096 * mib, 4096 * mib, 1024, false)).isEqualTo(480);
    assertThat(Limits.defaultMaxConnections(4 * mib, 4 * mib, 1024, false)).isEqualTo(64);
    // Whatever the cap, all connections at their worst fit in 60 % of the heap.
    long heap = 96 * mib;
    assertThat((long) Limits.defaultMaxConnections(heap, heap, 20_000, false) * Limits.CONNECTION_HEAP)
        .isLessThanOrEqualTo((long) (heap * 0.6));
  }
}
