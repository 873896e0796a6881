package dev.rget.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.testkit.SilentServer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dialer's name lookups (the origin's, a proxy's, a SOCKS5 destination's) end at once on the
 * {@link ConnectAbort} that uploads cancel with, as a cancel, before any connection is made. The
 * lookup is a {@link BlockingLookup} (a resolver that does not answer until released); the
 * servers are real loopback listeners that never answer.
 */
@Timeout(60)
class CancelWhileResolvingTest {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration PROMPT = Duration.ofSeconds(2);
  private static final Duration WAIT = Duration.ofSeconds(20);

  @AutoClose private final SilentServer silent = SilentServer.start();
  @AutoClose private final BlockingLookup names = new BlockingLookup();

  CancelWhileResolvingTest() throws IOException {}

  @Test
  void anAbortWhileTheOriginsNameIsLookedUpEndsItAtOnce() throws Exception {
    assertAbortedWhileResolving(URI.create("http://slow.test:" + silent.port() + "/"), null,
        "slow.test");
  }

  @Test
  void anAbortWhileAnHttpProxysNameIsLookedUpEndsItAtOnce() throws Exception {
    assertAbortedWhileResolving(URI.create("https://origin.test/"),
        Proxy.parse("http://proxy.test:" + silent.port()), "proxy.test");
  }

  @Test
  void anAbortWhileASocks5DestinationIsLookedUpEndsItBeforeTheProxyIsContacted()
      throws Exception {
    assertAbortedWhileResolving(URI.create("http://origin.test/"),
        Proxy.parse("socks5://127.0.0.1:" + silent.port()), "origin.test");
  }

  @Test
  void aSocks5hDestinationIsNotLookedUpHere() throws Exception {
    ConnectAbort abort = new ConnectAbort();
    FutureTask<Wire> dial = dial(URI.create("http://origin.test/"),
        Proxy.parse("socks5h://127.0.0.1:" + silent.port()), abort);
    try {
      assertThat(silent.awaitBytes(1, WAIT)).as("the greeting reached the proxy").isTrue();
      assertThat(names.started()).as("names looked up here").isEmpty();
    } finally {
      abort.abort();
      assertThatThrownBy(() -> dial.get(30, TimeUnit.SECONDS))
          .cause().isInstanceOf(InterruptedIOException.class);
    }
  }

  @Test
  void aSlowLookupLetGoConnects() throws Exception {
    FutureTask<Wire> dial = dial(URI.create("http://slow.test:" + silent.port() + "/"), null,
        new ConnectAbort());
    assertThat(names.awaitStarted(1, WAIT)).isTrue();
    assertThat(silent.accepted()).isZero();

    names.release();

    Wire w = dial.get(30, TimeUnit.SECONDS);
    try {
      assertThat(w.socket().isOpen()).isTrue();
    } finally {
      w.close();
    }
    assertThat(silent.awaitClosedByClient(1, WAIT)).as("it had connected").isTrue();
  }

  @Test
  void anUnknownOriginFailsAsBeforeNamingTheHost() throws Exception {
    names.release();

    assertThatThrownBy(() -> Dialer.connect(URI.create("http://nosuch.invalid/"), null, false,
        null, "test", CONNECT_TIMEOUT, new ConnectAbort(), names.resolver()))
        .isExactlyInstanceOf(UnknownHostException.class)
        .hasMessage("nosuch.invalid");
  }

  @Test
  void anUnknownProxyFailsAsBeforeNamingTheProxy() throws Exception {
    names.release();
    Proxy proxy = Proxy.parse("http://nosuch.invalid:3128");

    assertThatThrownBy(() -> Dialer.connect(URI.create("https://origin.test/"), proxy, false,
        null, "test", CONNECT_TIMEOUT, new ConnectAbort(), names.resolver()))
        .isExactlyInstanceOf(ProxyException.class)
        .hasMessage("unknown host nosuch.invalid of the " + proxy.describe());
  }

  /** Dials on another thread, aborts once {@code name}'s lookup started. */
  private void assertAbortedWhileResolving(URI uri, Proxy proxy, String name) throws Exception {
    ConnectAbort abort = new ConnectAbort();
    FutureTask<Wire> dial = dial(uri, proxy, abort);
    assertThat(names.awaitStarted(1, WAIT)).isTrue();
    assertThat(names.started()).containsExactly(name);
    assertThat(dial.isDone()).as("still resolving before the abort").isFalse();
    long t0 = System.nanoTime();

    abort.abort();

    assertThatThrownBy(() -> dial.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(InterruptedIOException.class)
        .hasMessage("connection set-up cancelled");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("time from abort() to the failure")
        .isLessThan(PROMPT);
    assertThat(names.finished()).as("the lookup, left behind, is still blocked").isZero();
    assertThat(silent.accepted()).as("connections made").isZero();
  }

  private FutureTask<Wire> dial(URI uri, Proxy proxy, ConnectAbort abort) {
    FutureTask<Wire> f = new FutureTask<>(() -> Dialer.connect(uri, proxy, false, null, "test",
        CONNECT_TIMEOUT, abort, names.resolver()));
    Thread t = new Thread(f, "dialer-under-test");
    t.setDaemon(true);
    t.start();
    return f;
  }
}
