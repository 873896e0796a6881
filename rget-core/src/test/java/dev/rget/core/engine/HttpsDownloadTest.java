package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.transport.TlsTrust;
import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.NginxFixture;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https downloads, which go through the JDK's TLS client: against nginx with a self-signed
 * certificate made for the test (skipped where nginx or openssl is absent), and redirects from
 * it to plain http.
 */
class HttpsDownloadTest {
  private static final long MIB = 1 << 20;
  @TempDir Path dir;
  private final HostileDownloads h = new HostileDownloads();

  @BeforeAll
  static void needNginxAndOpenssl() {
    Assumptions.assumeTrue(NginxFixture.available(),
        "nginx not installed (.ci/run installs it): " + NginxFixture.unavailableReason());
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")),
        "openssl not installed: cannot make a test certificate");
  }

  @Test
  void parallelHttpsDownloadIsByteExactAndAnUntrustedCertificateFailsAtOnce() throws Exception {
    Path www = Files.createDirectories(dir.resolve("www"));
    Content c = Content.pseudoRandom(6 * MIB + 77, 91);
    c.writeTo(www.resolve("f.bin"));
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl = new ProcessBuilder("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048",
        "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
        .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(Files.readString(dir.resolve("openssl.log"))).isZero();
    int tlsPort;
    try (ServerSocket s = new ServerSocket(0)) {
      tlsPort = s.getLocalPort();
    }
    try (FaultServer plain = new FaultServer();
        NginxFixture nginx = NginxFixture.builder(www).extraServerConfig(
        "listen 127.0.0.1:" + tlsPort + " ssl; ssl_certificate " + cert + "; ssl_certificate_key "
            + key + "; location = /down { return 302 " + plain.url("/f.bin") + "; }").start()) {
      URI url = URI.create("https://127.0.0.1:" + tlsPort + "/f.bin");
      Path out = dir.resolve("f.bin");

      HostileDownloads.complete(url, out,
          h.options().connections(4).sslContext(TlsTrust.trusting(cert)).build());

      assertThat(sha256(out)).isEqualTo(c.sha256());
      nginx.awaitAccessLog(2, Duration.ofSeconds(5));
      assertThat(nginx.accessLog()).filteredOn(e -> e.range() != null).hasSizeGreaterThan(1);

      // Without trust in the test certificate: one clear line, no retries, no file.
      Path other = dir.resolve("other.bin");
      DownloadException e = HostileDownloads.failure(url, other, h.options().build());
      assertThat(e.kind()).isEqualTo(FailureKind.NETWORK);
      assertThat(e.getMessage()).startsWith("TLS handshake with 127.0.0.1:" + tlsPort + " failed");
      assertThat(other).doesNotExist();

      // A redirect from https to plain http: followed with a notice, or refused when asked.
      plain.put("/f.bin", c);
      URI down = URI.create("https://127.0.0.1:" + tlsPort + "/down");
      Path downgraded = dir.resolve("downgraded.bin");
      HostileDownloads.complete(down, downgraded,
          h.options().sslContext(TlsTrust.trusting(cert)).build());
      assertThat(sha256(downgraded)).isEqualTo(c.sha256());
      assertThat(h.notices).anyMatch(n -> n.contains("redirected from https to plain http"));
      Path refused = dir.resolve("refused.bin");
      DownloadException https = HostileDownloads.failure(down, refused,
          h.options().sslContext(TlsTrust.trusting(cert)).httpsOnly(true).build());
      assertThat(https.kind()).isEqualTo(FailureKind.HTTP_STATUS);
      assertThat(https.getMessage()).contains("refusing the redirect").contains("https only");
      assertThat(refused).doesNotExist();
    }
  }
}
