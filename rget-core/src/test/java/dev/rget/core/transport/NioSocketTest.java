package dev.rget.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.testkit.SilentServer;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link NioSocket}'s own failures: a socket whose selector cannot take it closes that selector
 * (it belongs to that socket alone), and an interrupted wait says it was interrupted, not that
 * the peer stalled.
 */
@Timeout(60)
class NioSocketTest {
  /** Far longer than the test waits for an interrupted wait to end. */
  private static final Duration STALL = Duration.ofSeconds(30);

  @AutoClose private final SilentServer silent = SilentServer.start();

  NioSocketTest() throws java.io.IOException {}

  @Test
  void aChannelTheSelectorRefusesClosesThatSelector() throws Exception {
    // A blocking channel cannot be registered: register() fails, and not because the selector
    // was closed (the one failure after which the selector is already gone).
    SocketChannel blocking = SocketChannel.open();
    Selector selector = Selector.open();

    assertThatThrownBy(() -> NioSocket.attach(blocking, selector, new ConnectAbort()))
        .isInstanceOf(IllegalBlockingModeException.class);
    assertThat(selector.isOpen()).as("the socket's own selector").isFalse();
    assertThat(blocking.isOpen()).isFalse();
  }

  @Test
  void aChannelClosedBeforeItsRegistrationClosesTheSelector() throws Exception {
    SocketChannel closed = SocketChannel.open();
    closed.configureBlocking(false);
    closed.close();
    Selector selector = Selector.open();

    assertThatThrownBy(() -> NioSocket.attach(closed, selector, new ConnectAbort()))
        .isInstanceOf(ClosedChannelException.class);
    assertThat(selector.isOpen()).isFalse();
  }

  @Test
  void anAttachedSocketIsClosedByItsAbort() throws Exception {
    SocketChannel ch = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        silent.port()));
    ch.configureBlocking(false);
    Selector selector = Selector.open();
    ConnectAbort abort = new ConnectAbort();
    NioSocket s = NioSocket.attach(ch, selector, abort);
    assertThat(s.isOpen()).isTrue();

    abort.abort();

    assertThat(s.isOpen()).isFalse();
    assertThat(selector.isOpen()).isFalse();
  }

  @Test
  void anInterruptedWaitFailsAtOnceAsAnInterruptNotAsAStall() throws Exception {
    NioSocket s = NioSocket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        silent.port()), Duration.ofSeconds(10));
    try {
      Thread.currentThread().interrupt();
      long t0 = System.nanoTime();

      assertThatThrownBy(() -> s.await(SelectionKey.OP_READ, STALL))
          .isInstanceOf(InterruptedIOException.class)
          .isNotInstanceOf(StallException.class)
          .hasMessage("interrupted while waiting for the connection to be readable");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThat(Thread.currentThread().isInterrupted())
          .as("the interrupt is left for the caller to see").isTrue();
    } finally {
      Thread.interrupted();
      s.close();
    }
  }

  @Test
  void aWaitInterruptedFromAnotherThreadFailsAsAnInterrupt() throws Exception {
    NioSocket s = NioSocket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        silent.port()), Duration.ofSeconds(10));
    FutureTask<Void> wait = new FutureTask<>(() -> {
      s.await(SelectionKey.OP_READ, STALL);
      return null;
    });
    Thread waiter = new Thread(wait, "waiter-under-test");
    try {
      waiter.start();
      // Interrupting before the thread reaches select() ends the wait just the same.
      waiter.interrupt();

      assertThatThrownBy(() -> wait.get(20, TimeUnit.SECONDS))
          .cause().isInstanceOf(InterruptedIOException.class)
          .hasMessageContaining("interrupted");
    } finally {
      waiter.join(20_000);
      s.close();
    }
  }

  @Test
  void aWaitNobodyInterruptsIsStillAStall() throws Exception {
    NioSocket s = NioSocket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        silent.port()), Duration.ofSeconds(10));
    try {
      assertThatThrownBy(() -> s.await(SelectionKey.OP_READ, Duration.ofSeconds(1)))
          .isInstanceOf(StallException.class)
          .hasMessage("no data for 1 s");
    } finally {
      s.close();
    }
  }
}
