package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.rget.core.Download;
import dev.rget.core.DownloadOptions;
import dev.rget.core.Rget;
import dev.rget.core.transport.Proxy;
import dev.rget.core.transport.ProxyRules;
import dev.rget.testkit.SilentServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cancel()} ends a download that is still setting up its connection (a TLS handshake, a
 * proxy's {@code CONNECT} or SOCKS5 exchange) at once, as CANCELLED, instead of after the connect
 * timeout. The server in each case accepts TCP, reads the client's first message and never
 * answers; the test waits until that message has arrived, so the client is waiting for the
 * answer when it is cancelled.
 */
@Timeout(60)
class PromptCancelWhileConnectingTest {
  /** Far longer than {@link #PROMPT}: a cancel that waited for it would fail the test. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Generous for a loaded machine, and a fifth of the connect timeout. */
  private static final Duration PROMPT = Duration.ofSeconds(2);

  @TempDir Path dir;
  @AutoClose private final SilentServer silent = SilentServer.start();

  PromptCancelWhileConnectingTest() throws java.io.IOException {}

  @Test
  void duringATlsHandshakeTheServerNeverAnswers() throws Exception {
    Download d = start(URI.create("https://127.0.0.1:" + silent.port() + "/f"),
        options());

    assertCancelledPromptly(d);
  }

  @Test
  void duringATlsHandshakeOverHttp2TheServerNeverAnswers() throws Exception {
    Download d = start(URI.create("https://127.0.0.1:" + silent.port() + "/f"),
        options().http2(true));

    assertCancelledPromptly(d);
  }

  @Test
  void whileAnHttpProxyNeverAnswersConnect() throws Exception {
    Proxy proxy = Proxy.parse("http://127.0.0.1:" + silent.port());
    Download d = start(URI.create("https://origin.test/f"),
        options().proxies(ProxyRules.of(proxy, "")));

    assertCancelledPromptly(d);
  }

  @Test
  void whileASocks5ProxyNeverAnswersTheGreeting() throws Exception {
    Proxy proxy = Proxy.parse("socks5h://127.0.0.1:" + silent.port());
    Download d = start(URI.create("https://origin.test/f"),
        options().proxies(ProxyRules.of(proxy, "")));

    assertCancelledPromptly(d);
  }

  private static DownloadOptions.Builder options() {
    return DownloadOptions.builder()
        .connectTimeout(CONNECT_TIMEOUT)
        .stallTimeout(Duration.ofSeconds(60))
        .retries(3);
  }

  /** Starts the download and returns once its first message reached the silent server. */
  private Download start(URI url, DownloadOptions.Builder options) throws Exception {
    Download d = Rget.download(url, dir.resolve("f.bin"), options.build());
    assertThat(silent.awaitBytes(1, Duration.ofSeconds(20)))
        .as("the client's first message arrived").isTrue();
    return d;
  }

  /** Cancels; requires a CANCELLED result within {@link #PROMPT} and the socket closed. */
  private void assertCancelledPromptly(Download d) throws Exception {
    CancelCheck.cancelledWithin(d, PROMPT, "connecting");
    assertThat(silent.awaitClosedByClient(1, Duration.ofSeconds(5)))
        .as("the connection being set up was closed").isTrue();
  }
}
