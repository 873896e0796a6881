package dev.rget.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.DownloadOptions;
import dev.rget.core.DownloadResult;
import dev.rget.core.Rget;
import dev.rget.core.transport.BlockingLookup;
import dev.rget.core.transport.ProxyRules;
import dev.rget.core.transport.Transport;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cancel()} ends a download whose host name is still being looked up at once, as
 * CANCELLED, instead of when the resolver gives up (often 5 to 30 s). The resolver is a
 * {@link BlockingLookup}, which does not answer until released and ignores interrupts, as a
 * dead resolver does to the JDK's lookup (a real one cannot be made slow on loopback without
 * changing the machine's resolver configuration).
 */
@Timeout(60)
class PromptCancelWhileResolvingTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** Generous for a loaded machine; the lookups block until released. */
  private static final Duration PROMPT = Duration.ofSeconds(2);
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  @AutoClose private final BlockingLookup names = new BlockingLookup();
  @AutoClose private final FaultServer server = FaultServer.open();
  private final ExecutorService h2Readers = Executors.newCachedThreadPool();
  private Transport transport;

  @AfterEach
  void closeTransport() throws Exception {
    if (transport != null) {
      transport.close();
    }
    h2Readers.shutdown();
    assertThat(h2Readers.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void overHttp1() throws Exception {
    transport = names.http1(TIMEOUT, TIMEOUT, null, ProxyRules.direct());
    Download d = start(URI.create("http://slow.test:" + server.port() + "/f"));

    assertCancelledPromptly(d);
  }

  @Test
  void overHttp2() throws Exception {
    // An https origin goes to the HTTP/2 transport's own connect, which looks the name up first.
    transport = names.http2(TIMEOUT, TIMEOUT, null, h2Readers);
    Download d = start(URI.create("https://slow.test:" + server.port() + "/f"));

    assertCancelledPromptly(d);
  }

  @Test
  void aSlowLookupThatAnswersIsWaitedForAndTheDownloadCompletes() throws Exception {
    Content c = Content.pseudoRandom(256 * 1024, 91);
    server.put("/f", c);
    transport = names.http1(TIMEOUT, TIMEOUT, null, ProxyRules.direct());
    Download d = start(URI.create("http://slow.test:" + server.port() + "/f"));

    names.release();

    DownloadResult r = d.result().get(30, TimeUnit.SECONDS);
    assertThat(r).isNotNull();
    assertThat(Files.readAllBytes(dir.resolve("f.bin"))).isEqualTo(c.toByteArray());
  }

  /** Starts the download and returns once its first lookup started. */
  private Download start(URI url) throws Exception {
    DownloadOptions options = DownloadOptions.builder()
        .connectTimeout(TIMEOUT)
        .stallTimeout(Duration.ofSeconds(60))
        .retries(3)
        .build();
    Download d = Rget.download(url, dir.resolve("f.bin"), false, options, transport);
    assertThat(names.awaitStarted(1, WAIT)).as("the lookup started").isTrue();
    assertThat(names.started()).containsExactly("slow.test");
    return d;
  }

  /** Cancels; requires a CANCELLED result within {@link #PROMPT}, the lookup still blocked. */
  private void assertCancelledPromptly(Download d) throws Exception {
    CancelCheck.cancelledWithin(d, PROMPT, "resolving");
    assertThat(names.finished()).as("the lookup, left behind, is still blocked").isZero();
    assertThat(server.connectionCount()).as("connections made").isZero();
  }
}
