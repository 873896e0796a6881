package dev.rget.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Idle pooled connections are reused while fresh and closed once idle too long. */
@Timeout(30)
class IdlePoolTest {
  @AutoClose private final FaultServer server = FaultServer.open();
  @AutoClose private final Http1Transport transport = new Http1Transport(Duration.ofSeconds(5),
      Duration.ofSeconds(5), "test", null);

  @Test
  void idleConnectionIsReusedWhileFreshAndEvictedWhenOld() throws Exception {
    server.put("/f", Content.pseudoRandom(1000, 1));
    get();
    get();
    assertThat(server.connectionCount()).as("second request reused the connection").isEqualTo(1);

    transport.evictIdle(System.nanoTime() + Http1Transport.MAX_IDLE_NANOS + 1);

    assertThat(server.awaitIdle(Duration.ofSeconds(5))).isTrue();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (server.openConnections() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(server.openConnections()).as("evicted connection closed").isZero();
    get();
    assertThat(server.connectionCount()).as("a new connection after the eviction").isEqualTo(2);
  }

  private void get() throws Exception {
    try (TransportResponse r = transport.send(new TransportRequest("GET", server.url("/f"),
        Map.of()))) {
      assertThat(r.status()).isEqualTo(200);
      long n = 0;
      for (ByteBuffer b; (b = r.next(Duration.ofSeconds(5))) != null; ) {
        n += b.remaining();
        b.position(b.limit());
      }
      assertThat(n).isEqualTo(1000);
    }
  }
}
