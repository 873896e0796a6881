package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.UncheckedBooleanSupplier;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Error on a server thread never leaves a server that accepts connections and answers none (as
 * issue 8's OutOfMemoryError did): the server stops, closing its port, and says why.
 */
class FatalErrorTest {
  @TempDir Path dir;

  @Test
  void anErrorInAConnectionHandlerStopsTheServer() throws Exception {
    Consumer<SocketChannel> boom = ch -> ch.pipeline().addBefore("files", "boom", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest r && r.uri().equals("/boom")) {
          throw new OutOfMemoryError("injected");
        }
        ctx.fireChannelRead(msg);
      }
    });
    expectStopAfter(boom, "/boom", "injected");
  }

  @Test
  void aNetworkThreadKilledByAnErrorStopsTheServer() throws Exception {
    AtomicBoolean armed = new AtomicBoolean();
    Consumer<SocketChannel> kill = ch -> ch.config().setRecvByteBufAllocator(
        new KillingAllocator(ch.config().getRecvByteBufAllocator(), armed));
    expectStopAfter(kill, null, "killed the network thread", armed);
  }

  private void expectStopAfter(Consumer<SocketChannel> tweak, String target, String message) throws Exception {
    expectStopAfter(tweak, target, message, null);
  }

  private void expectStopAfter(Consumer<SocketChannel> tweak, String target, String message, AtomicBoolean arm)
      throws Exception {
    Fixture.write(dir.resolve("hello.txt"), "hello".getBytes());
    FileServer server = FileServer.start(ServerConfig.builder().root(dir).port(0).accessLog(false).build(), tweak);
    try {
      int port = server.port();
      assertThat(RawHttp.get(port, "/hello.txt").status()).isEqualTo(200);
      CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
        try {
          server.awaitClose();
        } catch (InterruptedException e) {
          throw new RuntimeException(e);
        }
      });
      if (arm != null) {
        arm.set(true);
      }
      try {
        RawHttp.get(port, target == null ? "/hello.txt" : target);
      } catch (IOException e) {
        // the connection died with the server: expected
      }
      stopped.get(10, TimeUnit.SECONDS);
      assertThat(server.failure()).isPresent();
      assertThat(server.failure().get()).isInstanceOf(OutOfMemoryError.class).hasMessage(message);
      assertThatThrownBy(() -> new RawHttp(port).close()).as("the port is closed").isInstanceOf(ConnectException.class);
    } finally {
      long t0 = System.nanoTime();
      server.close();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }
  }

  /** Throws an Error where Netty's read loop does not catch it, once armed: the thread dies. */
  private static final class KillingAllocator implements RecvByteBufAllocator {
    private final RecvByteBufAllocator delegate;
    private final AtomicBoolean armed;

    KillingAllocator(RecvByteBufAllocator delegate, AtomicBoolean armed) {
      this.delegate = delegate;
      this.armed = armed;
    }

    @Override
    public Handle newHandle() {
      ExtendedHandle h = (ExtendedHandle) delegate.newHandle();
      return new ExtendedHandle() {
        @Override
        public void reset(ChannelConfig config) {
          if (armed.getAndSet(false)) {
            throw new OutOfMemoryError("killed the network thread");
          }
          h.reset(config);
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
          return h.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
          return h.allocate(alloc);
        }

        @Override
        public int guess() {
          return h.guess();
        }

        @Override
        public void incMessagesRead(int numMessages) {
          h.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
          h.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
          return h.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
          h.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
          return h.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
          return h.continueReading();
        }

        @Override
        public void readComplete() {
          h.readComplete();
        }
      };
    }
  }
}
