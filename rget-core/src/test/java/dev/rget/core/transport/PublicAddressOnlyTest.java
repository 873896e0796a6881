package dev.rget.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request that may only reach a public address (a host a redirect led to, with private
 * redirects refused) is checked on the address the connection goes to, and never rides on a
 * pooled connection that was opened without that check.
 */
@Timeout(30)
class PublicAddressOnlyTest {
  @AutoClose private final FaultServer server = FaultServer.open();
  @AutoClose private final Http1Transport transport = new Http1Transport(Duration.ofSeconds(5),
      Duration.ofSeconds(5), "test", null);

  @Test
  void aNameResolvingToLoopbackIsRefusedBeforeAnyConnection() {
    server.put("/f", Content.pseudoRandom(1000, 1));
    // "localhost": a name, resolved by the transport itself when it connects.
    TransportRequest r = new TransportRequest("GET",
        server.url("/f").resolve("//localhost:" + server.port() + "/f"), Map.of(), true);
    assertThatThrownBy(() -> transport.send(r)).isInstanceOf(PrivateAddress.RefusedException.class)
        .hasMessageContaining("localhost is the local or private address");
    assertThat(server.connectionCount()).isZero();
  }

  @Test
  void aPooledConnectionOpenedWithoutTheCheckIsNotReused() throws Exception {
    server.put("/f", Content.pseudoRandom(1000, 1));
    // An ordinary request leaves a kept-alive connection to this host in the pool...
    try (TransportResponse ok = transport.send(new TransportRequest("GET", server.url("/f"), Map.of()))) {
      for (ByteBuffer b; (b = ok.next(Duration.ofSeconds(5))) != null; ) {
        b.position(b.limit());
      }
    }
    assertThat(server.connectionCount()).isEqualTo(1);
    // ...which a public-only request to the same host must not use.
    TransportRequest publicOnly = new TransportRequest("GET", server.url("/f"), Map.of(), true);
    assertThatThrownBy(() -> transport.send(publicOnly)).isInstanceOf(PrivateAddress.RefusedException.class);
    assertThat(server.connectionCount()).as("no second connection either").isEqualTo(1);
  }
}
