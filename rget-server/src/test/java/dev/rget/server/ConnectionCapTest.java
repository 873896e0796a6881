package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** At most {@code maxConnections} at once: beyond it, connections wait until one closes. */
class ConnectionCapTest {
  @TempDir Path dir;

  @Test
  void atTheCapANewConnectionWaitsAndIsServedWhenOneCloses() throws Exception {
    try (Fixture f = Fixture.start(dir, b -> b.maxConnections(3))) {
      List<RawHttp> held = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          RawHttp c = new RawHttp(f.port());
          c.send(RawHttp.request("GET", "/hello.txt")).read(false); // accepted and kept alive
          held.add(c);
        }
        assertThat(f.server.openConnections()).isEqualTo(3);
        try (RawHttp waiting = new RawHttp(f.port())) { // the kernel completes the handshake
          waiting.send(RawHttp.request("GET", "/hello.txt"));
          waiting.socket().setSoTimeout(700);
          try {
            waiting.read(false);
            throw new AssertionError("a fourth connection was served at a cap of 3");
          } catch (SocketTimeoutException expected) {
            // not accepted yet
          }
          held.remove(0).close();
          waiting.socket().setSoTimeout(5_000);
          assertThat(waiting.read(false).text()).isEqualTo("hello, world\n");
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
