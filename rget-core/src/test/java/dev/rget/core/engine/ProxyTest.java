package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import dev.rget.core.Rget;
import dev.rget.core.transport.Proxy;
import dev.rget.core.transport.ProxyRules;
import dev.rget.core.transport.TlsTrust;
import dev.rget.testkit.Content;
import dev.rget.testkit.DanteFixture;
import dev.rget.testkit.NginxFixture;
import dev.rget.testkit.SquidFixture;
import dev.rget.testkit.TestCertificates;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads through real proxies: squid as an http proxy (absolute-form requests, CONNECT
 * tunnels for https, Basic proxy authentication) and Dante as a SOCKS5 server (names resolved
 * here or by the proxy, with and without user name authentication), from nginx over http and
 * https, with 8 connections and a resume. Every test reads the proxy's log to prove the
 * requests went through it.
 */
class ProxyTest {
  private static final long MIB = 1 << 20;
  private static final Duration LOG_WAIT = Duration.ofSeconds(20);
  @TempDir static Path shared;
  @TempDir Path dir;
  private final HostileDownloads h = new HostileDownloads();

  private static Content content;
  private static NginxFixture nginx;
  private static int tlsPort;
  private static SSLContext trustCa;
  private static SquidFixture squid;
  private static SquidFixture squidAuth;
  private static DanteFixture dante;

  @BeforeAll
  static void startServers() throws Exception {
    Assumptions.assumeTrue(NginxFixture.available(), NginxFixture.unavailableReason());
    Assumptions.assumeTrue(SquidFixture.available(), SquidFixture.unavailableReason());
    Assumptions.assumeTrue(DanteFixture.available(), DanteFixture.unavailableReason());
    Assumptions.assumeTrue(TestCertificates.available(), "openssl not installed");
    Path www = Files.createDirectories(shared.resolve("www"));
    content = Content.pseudoRandom(6 * MIB + 123, 17);
    content.writeTo(www.resolve("f.bin"));
    TestCertificates ca = TestCertificates.create(shared.resolve("pki"));
    TestCertificates.KeyPair leaf = ca.leaf("good", "localhost", "127.0.0.1");
    trustCa = TlsTrust.trusting(ca.caCertificate());
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      tlsPort = s.getLocalPort();
    }
    nginx = NginxFixture.builder(www).extraHttpConfig("server { listen 127.0.0.1:" + tlsPort
        + " ssl; root " + www + "; ssl_certificate " + leaf.certificate() + ";"
        + " ssl_certificate_key " + leaf.key() + "; }\n").start();
    squid = SquidFixture.start();
    squidAuth = SquidFixture.start("alice", "proxy-secret");
    dante = DanteFixture.start(false);
  }

  @AfterAll
  static void stopServers() {
    for (AutoCloseable c : new AutoCloseable[] {nginx, squid, squidAuth, dante}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          throw new AssertionError("cannot stop " + c, e);
        }
      }
    }
  }

  private DownloadOptions.Builder via(String proxy) {
    return h.options().connections(8).sslContext(trustCa)
        .proxies(ProxyRules.of(Proxy.parse(proxy), null));
  }

  private static URI http(String host) {
    return URI.create("http://" + host + ":" + nginx.port() + "/f.bin");
  }

  private static URI https(String host) {
    return URI.create("https://" + host + ":" + tlsPort + "/f.bin");
  }

  private static long count(List<String> lines, String text) {
    return lines.stream().filter(l -> l.contains(text)).count();
  }

  @Test
  void plainHttpGoesThroughSquidInAbsoluteFormOnEightConnections() throws Exception {
    Path out = dir.resolve("f.bin");
    String line = "GET " + http("127.0.0.1") + " 206";
    long before = count(squid.accessLog(), line);

    HostileDownloads.complete(http("127.0.0.1"), out, via(squid.url(null)).build());

    assertThat(sha256(out)).isEqualTo(content.sha256());
    // Several ranged GETs of the full URL: squid got them in absolute form, one per piece.
    List<String> log = squid.awaitLog(line, (int) before + 4, LOG_WAIT);
    assertThat(count(log, line) - before).isGreaterThanOrEqualTo(4);
  }

  @Test
  void httpsGoesThroughSquidConnectTunnelsWithTlsInside() throws Exception {
    Path out = dir.resolve("f.bin");
    String line = "CONNECT localhost:" + tlsPort + " 200";
    long before = count(squid.accessLog(), line);

    HostileDownloads.complete(https("localhost"), out, via(squid.url(null)).build());

    assertThat(sha256(out)).isEqualTo(content.sha256());
    // Parallel connections, each its own tunnel (squid logs a CONNECT when it closes).
    List<String> log = squid.awaitLog(line, (int) before + 2, LOG_WAIT);
    assertThat(count(log, line) - before).isGreaterThanOrEqualTo(2);
  }

  @Test
  void squidBasicProxyAuthenticationForHttpAndHttps() throws Exception {
    String proxy = squidAuth.url("alice:proxy-secret");

    HostileDownloads.complete(http("127.0.0.1"), dir.resolve("a.bin"), via(proxy).build());
    HostileDownloads.complete(https("localhost"), dir.resolve("b.bin"), via(proxy).build());

    assertThat(sha256(dir.resolve("a.bin"))).isEqualTo(content.sha256());
    assertThat(sha256(dir.resolve("b.bin"))).isEqualTo(content.sha256());
    List<String> log = squidAuth.awaitLog("CONNECT localhost:" + tlsPort + " 200 alice", 1,
        LOG_WAIT);
    assertThat(log).anyMatch(l -> l.startsWith("GET " + http("127.0.0.1") + " 206 alice"));
    assertThat(log).anyMatch(l -> l.startsWith("CONNECT localhost:" + tlsPort + " 200 alice"));
  }

  @Test
  void a407NamesTheProxyNotTheOriginAndNeverShowsThePassword() throws Exception {
    for (URI origin : List.of(http("127.0.0.1"), https("localhost"))) {
      DownloadException wrong = HostileDownloads.failure(origin, dir.resolve("w.bin"),
          via(squidAuth.url("alice:not-the-password")).build());
      assertThat(wrong.kind()).isEqualTo(FailureKind.HTTP_STATUS);
      assertThat(wrong.getMessage())
          .contains("http proxy 127.0.0.1:" + squidAuth.port())
          .contains("refused the credentials of user alice")
          .doesNotContain("not-the-password").doesNotContain(":" + nginx.port())
          .doesNotContain(":" + tlsPort);

      DownloadException none = HostileDownloads.failure(origin, dir.resolve("n.bin"),
          via(squidAuth.url(null)).build());
      assertThat(none.kind()).isEqualTo(FailureKind.HTTP_STATUS);
      assertThat(none.getMessage()).contains("http proxy 127.0.0.1:" + squidAuth.port())
          .contains("requires authentication");
    }
    assertThat(squidAuth.awaitLog(" 407 ", 4, LOG_WAIT).stream().filter(l -> l.contains(" 407 ")))
        .hasSizeGreaterThanOrEqualTo(4);
    assertThat(dir.resolve("w.bin")).doesNotExist();
  }

  @Test
  void aDownloadInterruptedThroughAProxyResumesThroughIt() throws Exception {
    Path out = dir.resolve("r.bin");
    String line = "GET " + http("127.0.0.1") + " 206";
    var first = Rget.download(http("127.0.0.1"), out,
        via(squid.url(null)).limitRate(MIB).build());
    HostileDownloads.cancelWhen(first, () -> first.progress().doneBytes() >= MIB);
    long afterFirst = count(squid.awaitLog(line, 1, LOG_WAIT), line);
    assertThat(afterFirst).isPositive();

    DownloadResult r = HostileDownloads.complete(http("127.0.0.1"), out,
        via(squid.url(null)).build());

    assertThat(r.resumedBytes()).isGreaterThanOrEqualTo(MIB);
    assertThat(sha256(out)).isEqualTo(content.sha256());
    List<String> log = squid.awaitLog(line, (int) afterFirst + 1, LOG_WAIT);
    assertThat(count(log, line)).isGreaterThan(afterFirst);
  }

  @Test
  void socks5hSendsTheNameForTheProxyToResolveOnEightConnections() throws Exception {
    String before = dante.log();
    String asked = "ATYP: 3 address: localhost." + nginx.port();

    HostileDownloads.complete(http("localhost"), dir.resolve("h.bin"),
        via("socks5h://127.0.0.1:" + dante.port()).build());
    HostileDownloads.complete(https("localhost"), dir.resolve("s.bin"),
        via("socks5h://127.0.0.1:" + dante.port()).build());

    assertThat(sha256(dir.resolve("h.bin"))).isEqualTo(content.sha256());
    assertThat(sha256(dir.resolve("s.bin"))).isEqualTo(content.sha256());
    String log = dante.awaitLog(asked, DanteFixture.count(before, asked) + 4, LOG_WAIT);
    assertThat(DanteFixture.count(log, asked) - DanteFixture.count(before, asked))
        .isGreaterThanOrEqualTo(4);
    assertThat(DanteFixture.count(log, "ATYP: 3 address: localhost." + tlsPort)).isPositive();
  }

  @Test
  void socks5ResolvesTheNameHereAndSendsTheAddress() throws Exception {
    String before = dante.log();
    String asked = "ATYP: 1 address: 127.0.0.1." + nginx.port();

    HostileDownloads.complete(http("localhost"), dir.resolve("l.bin"),
        via("socks5://127.0.0.1:" + dante.port()).build());

    assertThat(sha256(dir.resolve("l.bin"))).isEqualTo(content.sha256());
    String log = dante.awaitLog(asked, DanteFixture.count(before, asked) + 2, LOG_WAIT);
    assertThat(DanteFixture.count(log, asked) - DanteFixture.count(before, asked))
        .isGreaterThanOrEqualTo(2);
    String name = "ATYP: 3 address: localhost." + nginx.port();
    assertThat(DanteFixture.count(log, name)).isEqualTo(DanteFixture.count(before, name));
  }

  @Test
  void socks5UserNameAuthentication() throws Exception {
    Assumptions.assumeTrue(DanteFixture.SystemUser.possible(),
        "Dante checks SOCKS logins against system accounts: making one needs root");
    try (DanteFixture.SystemUser account = DanteFixture.SystemUser.create();
        DanteFixture withAuth = DanteFixture.start(true)) {
      String proxy = "socks5h://" + account.name() + ":" + account.password() + "@127.0.0.1:"
          + withAuth.port();

      HostileDownloads.complete(http("localhost"), dir.resolve("u.bin"), via(proxy).build());

      assertThat(sha256(dir.resolve("u.bin"))).isEqualTo(content.sha256());
      String log = withAuth.awaitLog("auth: username", 2, LOG_WAIT);
      assertThat(log).contains("ATYP: 3 address: localhost." + nginx.port());

      DownloadException wrong = HostileDownloads.failure(http("localhost"),
          dir.resolve("w.bin"), via("socks5h://" + account.name() + ":wrong@127.0.0.1:"
              + withAuth.port()).build());
      assertThat(wrong.kind()).isEqualTo(FailureKind.HTTP_STATUS);
      assertThat(wrong.getMessage()).contains("SOCKS5h proxy 127.0.0.1:" + withAuth.port())
          .contains("refused the credentials of user " + account.name())
          .doesNotContain("wrong");

      DownloadException none = HostileDownloads.failure(http("localhost"),
          dir.resolve("n.bin"), via("socks5h://127.0.0.1:" + withAuth.port()).build());
      assertThat(none.kind()).isEqualTo(FailureKind.HTTP_STATUS);
      assertThat(none.getMessage()).contains("SOCKS5h proxy 127.0.0.1:" + withAuth.port())
          .contains("requires a user name and password");
    }
  }

  @Test
  void anUnreachableProxyIsNamedInOneLine() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      closed = s.getLocalPort();
    }
    for (String scheme : List.of("http", "socks5h")) {
      DownloadException e = HostileDownloads.failure(http("127.0.0.1"), dir.resolve("x.bin"),
          via(scheme + "://127.0.0.1:" + closed).retries(0).build());
      assertThat(e.kind()).isEqualTo(FailureKind.NETWORK);
      assertThat(e.getMessage()).contains("proxy 127.0.0.1:" + closed)
          .contains("refused the connection").doesNotContain(":" + nginx.port());
    }
  }

  @Test
  void hostsOnTheNoProxyListAreReachedDirectly() throws Exception {
    String line = "GET " + http("127.0.0.1");
    long before = count(squid.accessLog(), line);
    int nginxBefore = nginx.accessLog().size();

    HostileDownloads.complete(http("127.0.0.1"), dir.resolve("d.bin"), h.options()
        .proxies(ProxyRules.of(Proxy.parse(squid.url(null)), "example.org, 127.0.0.1")).build());

    assertThat(sha256(dir.resolve("d.bin"))).isEqualTo(content.sha256());
    assertThat(nginx.awaitAccessLog(nginxBefore + 1, LOG_WAIT)).hasSizeGreaterThan(nginxBefore);
    assertThat(count(squid.accessLog(), line)).isEqualTo(before);
  }
}
