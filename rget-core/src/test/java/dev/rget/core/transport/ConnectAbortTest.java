package dev.rget.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.testkit.SilentServer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ConnectAbort} ends {@link ClientWire#open} from another thread in whichever phase it
 * waits, closing the socket, and the opening fails as a cancel ({@link InterruptedIOException}),
 * not as a timeout or a network failure. The server accepts TCP, reads and never answers.
 */
@Timeout(60)
class ConnectAbortTest {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration PROMPT = Duration.ofSeconds(2);

  @AutoClose private final SilentServer silent = SilentServer.start();

  ConnectAbortTest() throws IOException {}

  @Test
  void anAbortDuringTheTlsHandshakeEndsItAtOnce() throws Exception {
    assertAbortedPromptly(URI.create("https://127.0.0.1:" + silent.port() + "/"),
        ProxyRules.direct());
  }

  @Test
  void anAbortWhileAnHttpProxyHoldsBackItsAnswerToConnectEndsItAtOnce() throws Exception {
    assertAbortedPromptly(URI.create("https://origin.test/"),
        ProxyRules.of(Proxy.parse("http://127.0.0.1:" + silent.port()), ""));
  }

  @Test
  void anAbortWhileASocks5ProxyHoldsBackItsAnswerEndsItAtOnce() throws Exception {
    assertAbortedPromptly(URI.create("http://origin.test/"),
        ProxyRules.of(Proxy.parse("socks5h://127.0.0.1:" + silent.port()), ""));
  }

  @Test
  void anOpeningAfterTheAbortFailsWithoutConnecting() throws Exception {
    ConnectAbort abort = new ConnectAbort();
    abort.abort();

    assertThatThrownBy(() -> ClientWire.open(URI.create("http://127.0.0.1:" + silent.port()
        + "/"), ProxyRules.direct(), null, "test", CONNECT_TIMEOUT, abort))
        .isInstanceOf(InterruptedIOException.class)
        .hasMessageContaining("cancelled");
    assertThat(abort.aborted()).isTrue();
    // Had it connected, the server would count the connection once the client closed it.
    assertThat(silent.accepted()).isZero();
  }

  @Test
  void anAbortAfterTheOpeningLeavesTheConnectionOpen() throws Exception {
    ConnectAbort abort = new ConnectAbort();
    try (ClientWire w = ClientWire.open(URI.create("http://127.0.0.1:" + silent.port() + "/"),
        ProxyRules.direct(), null, "test", CONNECT_TIMEOUT, abort)) {
      abort.abort();

      assertThat(w.isOpen()).as("the wire handed out is its owner's to close").isTrue();
      w.write(java.nio.ByteBuffer.wrap(new byte[] {'x'}), CONNECT_TIMEOUT);
      assertThat(silent.awaitBytes(1, Duration.ofSeconds(20))).isTrue();
    }
  }

  /** Opens {@code uri} on another thread, aborts once the first message arrived. */
  private void assertAbortedPromptly(URI uri, ProxyRules proxies) throws Exception {
    ConnectAbort abort = new ConnectAbort();
    FutureTask<ClientWire> open = new FutureTask<>(() -> ClientWire.open(uri, proxies, null,
        "test", CONNECT_TIMEOUT, abort));
    Thread opener = new Thread(open, "opener-under-test");
    opener.start();
    try {
      assertThat(silent.awaitBytes(1, Duration.ofSeconds(20)))
          .as("the client's first message arrived").isTrue();
      assertThat(open.isDone()).as("still opening before the abort").isFalse();
      long t0 = System.nanoTime();
      abort.abort();

      assertThatThrownBy(() -> open.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(InterruptedIOException.class)
          .hasMessage("connection set-up cancelled");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("time from abort() to the failure")
          .isLessThan(PROMPT);
      assertThat(silent.awaitClosedByClient(1, Duration.ofSeconds(5)))
          .as("the socket being set up was closed").isTrue();
    } finally {
      abort.abort();
      opener.join(TimeUnit.SECONDS.toMillis(30));
    }
  }
}
