package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.FailureKind;
import dev.rget.core.transport.TlsTrust;
import dev.rget.testkit.Content;
import dev.rget.testkit.CuttingRelay;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.NginxFixture;
import dev.rget.testkit.TestCertificates;
import dev.rget.testkit.TestCertificates.KeyPair;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https on the engine's own TLS transport, against real nginx servers set up for each case: TLS
 * 1.3 only, TLS 1.2 only, a certificate picked by SNI, an expired, a misnamed and a self-signed
 * certificate, and connections cut mid-record without {@code close_notify}. nginx logs the
 * protocol, cipher and session reuse of every request, so the tests see what was negotiated.
 */
class HttpsTest {
  private static final long MIB = 1 << 20;
  @TempDir static Path shared;
  @TempDir Path dir;
  private final HostileDownloads h = new HostileDownloads();

  private static Content content;
  private static NginxFixture nginx;
  private static FaultServer plain;
  private static SSLContext trustCa;
  private static int tls13;
  private static int tls12;
  private static int sni;
  private static int expired;
  private static int wrongHost;
  private static int selfSigned;

  @BeforeAll
  static void startServers() throws Exception {
    Assumptions.assumeTrue(NginxFixture.available(),
        "nginx not installed (.ci/run installs it): " + NginxFixture.unavailableReason());
    Assumptions.assumeTrue(TestCertificates.available(),
        "openssl not installed (.ci/run installs it): cannot make test certificates");
    Path www = Files.createDirectories(shared.resolve("www"));
    content = Content.pseudoRandom(6 * MIB + 77, 91);
    content.writeTo(www.resolve("f.bin"));
    TestCertificates ca = TestCertificates.create(shared.resolve("pki"));
    KeyPair good = ca.leaf("good", "localhost", "127.0.0.1");
    KeyPair other = ca.leaf("other", "other.test");
    KeyPair old = ca.expiredLeaf("old", "localhost", "127.0.0.1");
    KeyPair misnamed = ca.leaf("misnamed", "wrong.example");
    KeyPair self = ca.selfSigned("self", "localhost", "127.0.0.1");
    trustCa = TlsTrust.trusting(ca.caCertificate());
    int[] ports = freePorts(6);
    tls13 = ports[0];
    tls12 = ports[1];
    sni = ports[2];
    expired = ports[3];
    wrongHost = ports[4];
    selfSigned = ports[5];
    Path log = shared.resolve("tls.log");
    StringBuilder http = new StringBuilder(
        "log_format tls '$ssl_protocol|$ssl_cipher|$ssl_session_reused|$connection|$status';\n");
    plain = new FaultServer();
    plain.put("/f.bin", content);
    http.append(server(tls13, good, "TLSv1.3", "", www, log).replace("; }\n",
        "; location = /down { return 302 " + plain.url("/f.bin") + "; } }\n"));
    http.append(server(tls12, good, "TLSv1.2", "", www, log));
    // SNI: the default certificate of this port is for another name; only a client that sends
    // "localhost" in SNI gets the right one.
    http.append(server(sni, other, "TLSv1.2 TLSv1.3", " default_server", www, log));
    http.append(server(sni, good, "TLSv1.2 TLSv1.3", "", www, log)
        .replace("server {", "server { server_name localhost;"));
    http.append(server(expired, old, "TLSv1.2 TLSv1.3", "", www, log));
    http.append(server(wrongHost, misnamed, "TLSv1.2 TLSv1.3", "", www, log));
    http.append(server(selfSigned, self, "TLSv1.2 TLSv1.3", "", www, log));
    nginx = NginxFixture.builder(www).extraHttpConfig(http.toString()).start();
  }

  private static String server(int port, KeyPair cert, String protocols, String listenFlags,
      Path www, Path log) {
    return "server { listen 127.0.0.1:" + port + " ssl" + listenFlags + "; root " + www + ";"
        + " ssl_certificate " + cert.certificate() + "; ssl_certificate_key " + cert.key() + ";"
        + " ssl_protocols " + protocols + "; access_log " + log + " tls; }\n";
  }

  @AfterAll
  static void stopServers() {
    if (nginx != null) {
      nginx.close();
    }
    if (plain != null) {
      plain.close();
    }
  }

  /** One line of the TLS log: what nginx negotiated for one request. */
  private record Negotiated(String protocol, String cipher, boolean reused, long connection) {}

  private static List<Negotiated> negotiated() throws IOException {
    Path log = shared.resolve("tls.log");
    if (!Files.exists(log)) {
      return List.of();
    }
    return Files.readAllLines(log).stream().map(l -> l.split("\\|"))
        .map(f -> new Negotiated(f[0], f[1], f[2].equals("r"), Long.parseLong(f[3])))
        .toList();
  }

  private DownloadOptions.Builder trusting() {
    return h.options().connections(6).sslContext(trustCa);
  }

  @Test
  void tls13ParallelDownloadIsByteExactWithAes128Gcm() throws Exception {
    Set<Long> before = connections(negotiated());
    Path out = dir.resolve("f.bin");

    HostileDownloads.complete(URI.create("https://127.0.0.1:" + tls13 + "/f.bin"), out,
        trusting().build());

    assertThat(sha256(out)).isEqualTo(content.sha256());
    List<Negotiated> mine = negotiated().stream()
        .filter(n -> !before.contains(n.connection())).toList();
    assertThat(connections(mine)).as("several connections").hasSizeGreaterThan(1);
    assertThat(mine).allSatisfy(n -> {
      assertThat(n.protocol()).isEqualTo("TLSv1.3");
      assertThat(n.cipher()).isEqualTo("TLS_AES_128_GCM_SHA256");
    });
    assertThat(mine).as("a later connection resumes the first one's session")
        .anyMatch(Negotiated::reused);
  }

  @Test
  void tls12ConnectionsAfterTheFirstResumeItsSession() throws Exception {
    Set<Long> before = connections(negotiated());
    Path out = dir.resolve("f.bin");

    HostileDownloads.complete(URI.create("https://127.0.0.1:" + tls12 + "/f.bin"), out,
        trusting().build());

    assertThat(sha256(out)).isEqualTo(content.sha256());
    List<Negotiated> mine = negotiated().stream()
        .filter(n -> !before.contains(n.connection())).toList();
    assertThat(mine).allSatisfy(n -> assertThat(n.protocol()).isEqualTo("TLSv1.2"));
    assertThat(connections(mine)).hasSizeGreaterThan(1);
    assertThat(mine.stream().filter(n -> !n.reused()).map(Negotiated::connection)
        .collect(Collectors.toSet())).as("connections with a full handshake").hasSize(1);
  }

  @Test
  void sniPicksTheCertificateForTheHostName() throws Exception {
    Path out = dir.resolve("f.bin");

    HostileDownloads.complete(URI.create("https://localhost:" + sni + "/f.bin"), out,
        trusting().build());

    assertThat(sha256(out)).isEqualTo(content.sha256());
  }

  @Test
  void badCertificatesFailAtOnceWithTheirCause() throws Exception {
    assertFailsAtOnce(expired, trusting(), "the server's certificate has expired");
    assertFailsAtOnce(wrongHost, trusting(), "the server's certificate is not for 127.0.0.1");
    assertFailsAtOnce(selfSigned, trusting(), "the server's certificate is not trusted");
    // Without --ca-certificate even a certificate from the test CA is an unknown authority.
    assertFailsAtOnce(tls13, h.options(), "the server's certificate is not trusted");
  }

  private void assertFailsAtOnce(int port, DownloadOptions.Builder options, String cause)
      throws Exception {
    Path out = dir.resolve("bad-" + port + ".bin");
    long start = System.nanoTime();

    DownloadException e = HostileDownloads.failure(
        URI.create("https://127.0.0.1:" + port + "/f.bin"), out, options.retries(5).build());

    assertThat(e.kind()).isEqualTo(FailureKind.NETWORK);
    assertThat(e.getMessage()).startsWith("TLS handshake with 127.0.0.1:" + port + " failed: ")
        .contains(cause).doesNotContain("\n").doesNotContain("sun.security");
    // Five retries with backoff would take seconds; one failed handshake takes milliseconds.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(out).doesNotExist();
  }

  @Test
  void aConnectionCutWithoutCloseNotifyIsAShortReadAndTheRestIsFetchedAgain() throws Exception {
    try (CuttingRelay relay = CuttingRelay.start(new InetSocketAddress("127.0.0.1", tls13),
        700_000, 3)) {
      Path out = dir.resolve("f.bin");

      HostileDownloads.complete(URI.create("https://127.0.0.1:" + relay.port() + "/f.bin"), out,
          trusting().connections(2).build());

      assertThat(relay.cuts()).isEqualTo(3);
      assertThat(sha256(out)).isEqualTo(content.sha256());
    }
  }

  @Test
  void aRedirectToPlainHttpIsFollowedWithANoticeOrRefusedWhenHttpsOnly() throws Exception {
    URI down = URI.create("https://127.0.0.1:" + tls13 + "/down");
    Path downgraded = dir.resolve("downgraded.bin");

    HostileDownloads.complete(down, downgraded, trusting().build());

    assertThat(sha256(downgraded)).isEqualTo(content.sha256());
    assertThat(h.notices).anyMatch(n -> n.contains("redirected from https to plain http"));

    Path refused = dir.resolve("refused.bin");
    DownloadException e = HostileDownloads.failure(down, refused,
        trusting().httpsOnly(true).build());
    assertThat(e.kind()).isEqualTo(FailureKind.HTTP_STATUS);
    assertThat(e.getMessage()).contains("refusing the redirect").contains("https only");
    assertThat(refused).doesNotExist();
  }

  private static Set<Long> connections(List<Negotiated> entries) {
    return entries.stream().map(Negotiated::connection).collect(Collectors.toSet());
  }

  private static int[] freePorts(int n) throws IOException {
    ServerSocket[] sockets = new ServerSocket[n];
    try {
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0);
      }
      return Arrays.stream(sockets).mapToInt(ServerSocket::getLocalPort).toArray();
    } finally {
      for (ServerSocket s : sockets) {
        if (s != null) {
          s.close();
        }
      }
    }
  }
}
