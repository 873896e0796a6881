package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, stopping, transports, and the embedding API. */
class LifecycleTest {
  @TempDir Path dir;

  @Test
  void portInUseFailsWithAClearBindException() throws Exception {
    try (Fixture a = Fixture.start(dir)) {
      int port = a.port();
      assertThatThrownBy(() -> FileServer.start(ServerConfig.builder().root(dir).port(port).build()))
          .isInstanceOf(BindException.class)
          .hasMessage("cannot listen on 127.0.0.1:" + port + ": Address already in use");
      assertThat(RawHttp.get(port, "/hello.txt").status()).isEqualTo(200); // the first one is unharmed
    }
  }

  @Test
  void missingOrNonDirectoryRootIsRefused() throws Exception {
    assertThatThrownBy(() -> FileServer.start(ServerConfig.builder().root(dir.resolve("nope")).port(0).build()))
        .isInstanceOf(NotDirectoryException.class);
    Path file = Files.writeString(dir.resolve("f"), "x");
    assertThatThrownBy(() -> FileServer.start(ServerConfig.builder().root(file).port(0).build()))
        .isInstanceOf(NotDirectoryException.class);
  }

  @Test
  void closeCutsConnectionsReleasesThePortAndIsIdempotent() throws Exception {
    Fixture f = Fixture.start(dir);
    int port = f.port();
    assertThat(f.server.uri().toString()).isEqualTo("http://127.0.0.1:" + port + "/");
    try (RawHttp c = new RawHttp(port)) {
      c.send(RawHttp.request("GET", "/hello.txt")).read(false);
      CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
        try {
          f.server.awaitClose();
        } catch (InterruptedException e) {
          throw new RuntimeException(e);
        }
      });
      f.close();
      f.close();
      waiter.get(5, TimeUnit.SECONDS);
      assertThat(c.closedByPeer()).isTrue();
    }
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
      assertThat(s.isBound()).isTrue();
    }
  }

  @Test
  void nativeEpollIsUsedWhereAvailable() throws Exception {
    assumeTrue(Epoll.isAvailable(), "epoll not available on this platform");
    try (Fixture f = Fixture.start(dir)) {
      assertThat(f.server.transport()).isEqualTo("epoll");
    }
  }

  @Test
  void nioFallbackServesRangesAndMultipartToo() throws Exception {
    try (Fixture f = Fixture.start(dir, b -> b.nativeTransport(false))) {
      assertThat(f.server.transport()).isEqualTo("nio");
      assertThat(RawHttp.get(f.port(), "/data.bin").body()).isEqualTo(f.data);
      assertThat(RawHttp.get(f.port(), "/data.bin", "Range: bytes=-10").body()).isEqualTo(f.slice(Fixture.DATA_LEN - 10, Fixture.DATA_LEN - 1));
      RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", "Range: bytes=0-9,90000-90009");
      var parts = MultipartParser.parse(r.body(), r.header("Content-Type"));
      assertThat(parts.get(1).data()).isEqualTo(f.slice(90000, 90009));
    }
  }

  @Test
  void bindingAllInterfacesIsReachableOnLoopback() throws Exception {
    try (Fixture f = Fixture.start(dir, b -> b.bind("0.0.0.0"))) {
      assertThat(RawHttp.get(f.port(), "/hello.txt").status()).isEqualTo(200);
    }
  }

  @Test
  void builderRejectsNonsense() {
    assertThatThrownBy(() -> ServerConfig.builder().port(70000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServerConfig.builder().limitRatePerConnection(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServerConfig.builder().build()).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("root");
  }
}
