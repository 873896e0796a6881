package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Download;
import dev.rget.core.DownloadOptions;
import dev.rget.core.Rget;
import dev.rget.core.transport.Http2Transport;
import dev.rget.core.transport.TlsTrust;
import dev.rget.core.transport.TransportRequest;
import dev.rget.core.transport.TransportResponse;
import dev.rget.testkit.Content;
import dev.rget.testkit.NginxFixture;
import dev.rget.testkit.TestCertificates;
import dev.rget.testkit.TestCertificates.KeyPair;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 against a real nginx 1.22 ({@code listen ... ssl http2}): parallel ranged downloads as
 * streams on shared connections, a cancelled download resumed over HTTP/2, and the fallback to
 * HTTP/1.1 on a TLS port without HTTP/2. nginx logs {@code $server_protocol} and
 * {@code $connection} of every request, so the tests see what went over the wire.
 */
class Http2Test {
  private static final long MIB = 1 << 20;
  @TempDir static Path shared;
  @TempDir Path dir;
  private final HostileDownloads h = new HostileDownloads();

  private static Content content;
  private static NginxFixture nginx;
  private static SSLContext trustCa;
  private static int h2Port;
  private static int h1Port;

  @BeforeAll
  static void startServers() throws Exception {
    Assumptions.assumeTrue(NginxFixture.available(),
        "nginx not installed (.ci/run installs it): " + NginxFixture.unavailableReason());
    Assumptions.assumeTrue(TestCertificates.available(),
        "openssl not installed (.ci/run installs it): cannot make test certificates");
    Path www = Files.createDirectories(shared.resolve("www"));
    content = Content.pseudoRandom(12 * MIB + 333, 17);
    content.writeTo(www.resolve("f.bin"));
    TestCertificates ca = TestCertificates.create(shared.resolve("pki"));
    KeyPair good = ca.leaf("good", "localhost", "127.0.0.1");
    trustCa = TlsTrust.trusting(ca.caCertificate());
    int[] ports = freePorts(2);
    h2Port = ports[0];
    h1Port = ports[1];
    Path log = shared.resolve("h2.log");
    String tls = " ssl_certificate " + good.certificate() + "; ssl_certificate_key " + good.key()
        + "; root " + www + "; access_log " + log + " h2;";
    // /slow/ is throttled per request, which in HTTP/2 means per stream, so a download can be
    // interrupted part-way.
    String http = "log_format h2 '$server_protocol|$connection|$status|$uri';\n"
        + "server { listen 127.0.0.1:" + h2Port + " ssl http2;" + tls
        + " location /slow/ { alias " + www + "/; limit_rate 1m; } }\n"
        + "server { listen 127.0.0.1:" + h1Port + " ssl;" + tls + " }\n";
    nginx = NginxFixture.builder(www).extraHttpConfig(http).start();
  }

  @AfterAll
  static void stopServers() {
    if (nginx != null) {
      nginx.close();
    }
  }

  /** One line of the log: the protocol and connection of one request. */
  private record Logged(String protocol, long connection, int status, String uri) {}

  private static List<Logged> logged() throws IOException {
    Path log = shared.resolve("h2.log");
    if (!Files.exists(log)) {
      return List.of();
    }
    return Files.readAllLines(log).stream().map(l -> l.split("\\|"))
        .map(f -> new Logged(f[0], Long.parseLong(f[1]), Integer.parseInt(f[2]), f[3]))
        .toList();
  }

  private DownloadOptions.Builder options() {
    return h.options().sslContext(trustCa).http2(true);
  }

  @Test
  void eightParallelRangesAreStreamsOnFewerConnectionsAndByteExact() throws Exception {
    int before = logged().size();
    Path out = dir.resolve("f.bin");

    HostileDownloads.complete(URI.create("https://127.0.0.1:" + h2Port + "/f.bin"), out,
        options().connections(8).build());

    assertThat(sha256(out)).isEqualTo(content.sha256());
    List<Logged> mine = awaitLogged(before, 8);
    assertThat(mine).allSatisfy(l -> assertThat(l.protocol()).isEqualTo("HTTP/2.0"));
    Set<Long> connections = mine.stream().map(Logged::connection).collect(Collectors.toSet());
    assertThat(mine.size()).as("requests (streams)").isGreaterThanOrEqualTo(8);
    assertThat(connections.size()).as("TCP connections for " + mine.size() + " streams")
        .isLessThan(mine.size()).isEqualTo(1);
  }

  @Test
  void theTransportSpeaksHttp2WhereOfferedAndFallsBackToHttp11() throws Exception {
    int before = logged().size();
    try (Http2Transport t = new Http2Transport(Duration.ofSeconds(5), Duration.ofSeconds(5),
        "rget-test", trustCa, DownloadOptions.defaults().executor())) {
      URI h2 = URI.create("https://127.0.0.1:" + h2Port + "/f.bin");
      URI h1 = URI.create("https://127.0.0.1:" + h1Port + "/f.bin");
      assertThat(bodyLength(t, h2)).isEqualTo(1000);
      assertThat(bodyLength(t, h2)).isEqualTo(1000);
      assertThat(bodyLength(t, h1)).isEqualTo(1000);
    }
    // nginx logs the requests in the order they ended, which is the order they were sent.
    List<Logged> mine = awaitLogged(before, 3);
    assertThat(mine).extracting(Logged::protocol).containsExactly("HTTP/2.0", "HTTP/2.0", "HTTP/1.1");
    assertThat(mine.get(1).connection()).as("the second h2 request reuses the connection")
        .isEqualTo(mine.get(0).connection());
  }

  private static long bodyLength(Http2Transport t, URI uri) throws IOException {
    try (TransportResponse r = t.send(new TransportRequest("GET", uri, Map.of("Range", "bytes=0-999")))) {
      assertThat(r.status()).isEqualTo(206);
      long n = 0;
      for (ByteBuffer b; (b = r.next(Duration.ofSeconds(5))) != null; ) {
        n += b.remaining();
      }
      return n;
    }
  }

  @Test
  void theHttp2ReaderRunsOnTheCallersExecutor() throws Exception {
    try (CallerPool pool = new CallerPool()) {
      // Earlier downloads may still be ending on the default pool: start once none is left.
      HostileDownloads.awaitCondition(() -> CallerPool.inRgetCode(t -> !pool.owns(t), null).isEmpty(),
          Duration.ofSeconds(15));
      int before = logged().size();
      // Throttled per stream, so the connection's reader runs for a while.
      Download d = Rget.download(URI.create("https://127.0.0.1:" + h2Port + "/slow/f.bin"),
          dir.resolve("f.bin"), options().connections(8).executor(pool).build());
      Set<String> strangers = ConcurrentHashMap.newKeySet();
      while (!d.result().isDone()) { // sampling the threads, not waiting for a condition
        strangers.addAll(CallerPool.inRgetCode(t -> !pool.owns(t), null));
        Thread.sleep(20);
      }
      HostileDownloads.await(d);
      assertThat(sha256(dir.resolve("f.bin"))).isEqualTo(content.sha256());
      assertThat(awaitLogged(before, 8)).allSatisfy(l -> assertThat(l.protocol()).isEqualTo("HTTP/2.0"));
      assertThat(strangers).as("threads running rget code outside the caller's executor").isEmpty();
    }
  }

  @Test
  void aServerWithoutHttp2GetsHttp11AndTheFileIsByteExact() throws Exception {
    int before = logged().size();
    Path out = dir.resolve("f.bin");

    HostileDownloads.complete(URI.create("https://127.0.0.1:" + h1Port + "/f.bin"), out,
        options().connections(4).build());

    assertThat(sha256(out)).isEqualTo(content.sha256());
    List<Logged> mine = awaitLogged(before, 4);
    assertThat(mine).allSatisfy(l -> assertThat(l.protocol()).isEqualTo("HTTP/1.1"));
  }

  @Test
  void aCancelledHttp2DownloadResumesByteExact() throws Exception {
    URI uri = URI.create("https://127.0.0.1:" + h2Port + "/slow/f.bin");
    Path out = dir.resolve("f.bin");
    Download first = Rget.download(uri, out, options().connections(8).build());
    // Cancelling closes every open stream mid-body: each is reset (RST_STREAM CANCEL).
    HostileDownloads.cancelWhen(first, () -> first.progress().doneBytes() > 3 * MIB);
    long kept = HostileDownloads.writtenRanges(out).stream().mapToLong(r -> r.length()).sum();
    assertThat(kept).as("bytes kept for the resume").isGreaterThan(2 * MIB);

    HostileDownloads.complete(URI.create("https://127.0.0.1:" + h2Port + "/f.bin"), out,
        options().connections(8).build());

    assertThat(sha256(out)).isEqualTo(content.sha256());
  }

  private static List<Logged> awaitLogged(int before, int atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<Logged> all = logged();
    while (all.size() < before + atLeast && System.nanoTime() < deadline) {
      Thread.sleep(10);
      all = logged();
    }
    return all.subList(before, all.size());
  }

  private static int[] freePorts(int n) throws IOException {
    ServerSocket[] sockets = new ServerSocket[n];
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0);
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        if (s != null) {
          s.close();
        }
      }
    }
  }
}
