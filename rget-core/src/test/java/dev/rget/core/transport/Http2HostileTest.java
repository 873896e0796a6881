package dev.rget.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.core.DownloadOptions;
import dev.rget.core.transport.h2.HeaderField;
import dev.rget.core.transport.h2.HpackDecoder;
import dev.rget.testkit.H2TestServer;
import dev.rget.testkit.H2TestServer.Peer;
import dev.rget.testkit.TestCertificates;
import dev.rget.testkit.TestCertificates.KeyPair;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Http2Transport} against a scripted HTTP/2 server over TLS that breaks the protocol on
 * purpose, one rule per test: every breach ends in an IOException naming it, within the
 * timeouts, and never in a body that silently ends short.
 */
class Http2HostileTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final Duration STALL = Duration.ofMillis(700);
  private static final int HEADERS = 0x1;
  private static final int RST_STREAM = 0x3;
  private static final int PING = 0x6;
  private static final int CONTINUATION = 0x9;
  private static final int END_HEADERS = 0x4;

  @TempDir static Path pki;
  private static KeyPair cert;
  private static SSLContext trust;
  private H2TestServer server;
  private Http2Transport transport;

  @BeforeAll
  static void certificates() throws Exception {
    Assumptions.assumeTrue(TestCertificates.available(),
        "openssl not installed (.ci/run installs it): cannot make test certificates");
    TestCertificates ca = TestCertificates.create(pki);
    cert = ca.leaf("h2", "localhost", "127.0.0.1");
    trust = TlsTrust.trusting(ca.caCertificate());
  }

  @AfterEach
  void stop() {
    if (transport != null) {
      transport.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private URI serve(H2TestServer.Script script) throws Exception {
    server = H2TestServer.start(cert, script);
    transport = new Http2Transport(TIMEOUT, TIMEOUT, "rget-test", trust,
        DownloadOptions.defaults().executor());
    return URI.create("https://127.0.0.1:" + server.port() + "/f");
  }

  private TransportResponse get(URI uri) throws IOException {
    return transport.send(new TransportRequest("GET", uri, Map.of()));
  }

  /** Reads a body to its end, counting bytes; the exception of next() propagates. */
  private static long drain(TransportResponse r) throws IOException {
    long n = 0;
    for (ByteBuffer b; (b = r.next(STALL)) != null; ) {
      n += b.remaining();
    }
    return n;
  }

  @Test
  void aWellBehavedResponseIsReadAndThePingAnswered() throws Exception {
    byte[] ping = {1, 2, 3, 4, 5, 6, 7, 8};
    CompletableFuture<byte[]> pong = new CompletableFuture<>();
    URI uri = serve(p -> {
      p.settings();
      int id = p.awaitRequest();
      p.frame(PING, 0, 0, ping);
      pong.complete(p.await(PING).payload());
      p.headers(id, false, ":status", "200", "content-length", "40000");
      p.data(id, 40_000, true);
      p.drainUntilClosed();
    });
    try (TransportResponse r = get(uri)) {
      assertThat(r.status()).isEqualTo(200);
      assertThat(drain(r)).isEqualTo(40_000);
    }
    // The PING answered on the connection shows it spoke HTTP/2.
    assertThat(pong.get(5, TimeUnit.SECONDS)).isEqualTo(ping);
  }

  @Test
  void theRequestsOwnUserAgentReplacesTheDefaultAndAnEmptyOneSendsNone() throws Exception {
    for (String asked : new String[] {null, "custom-agent/2", ""}) {
      CompletableFuture<List<HeaderField>> sent = new CompletableFuture<>();
      URI uri = serve(p -> {
        p.settings();
        H2TestServer.Frame headers = p.await(HEADERS);
        sent.complete(new HpackDecoder(4096, 65536).decode(headers.payload(),
            headers.payload().length));
        p.headers(headers.stream(), true, ":status", "204");
        p.drainUntilClosed();
      });
      Map<String, String> h = asked == null ? Map.of() : Map.of("User-Agent", asked);
      try (TransportResponse r = transport.send(new TransportRequest("GET", uri, h))) {
        assertThat(r.status()).isEqualTo(204);
      }
      List<String> agents = sent.get(5, TimeUnit.SECONDS).stream()
          .filter(f -> f.name().equals("user-agent")).map(HeaderField::value).toList();
      assertThat(agents).as("user-agent sent when the request asks for %s", asked)
          .isEqualTo(asked == null ? List.of("rget-test")
              : asked.isEmpty() ? List.of() : List.of(asked));
      stop();
      transport = null;
      server = null;
    }
  }

  @Test
  void aHeaderBlockAbove64KibIsRefused() throws Exception {
    URI uri = serve(p -> {
      p.settings();
      int id = p.awaitRequest();
      byte[] big = Peer.block("x-big", "a".repeat(16_000));
      p.frame(HEADERS, 0, id, Peer.block(":status", "200"));
      for (int i = 0; i < 5; i++) {
        p.frame(CONTINUATION, 0, id, big);
      }
      p.drainUntilClosed();
    });
    assertThatThrownBy(() -> get(uri)).isInstanceOf(IOException.class)
        .hasMessageContaining("header block larger than 65536 bytes");
  }

  @Test
  void aContinuationFloodIsRefused() throws Exception {
    URI uri = serve(p -> {
      p.settings();
      int id = p.awaitRequest();
      p.frame(HEADERS, 0, id, Peer.block(":status", "200"));
      for (int i = 0; i < 10_000; i++) {
        p.frame(CONTINUATION, 0, id, new byte[0]);
      }
      p.drainUntilClosed();
    });
    assertThatThrownBy(() -> get(uri)).isInstanceOf(IOException.class)
        .hasMessageContaining("CONTINUATION flood");
  }

  @Test
  void aDynamicTableLargerThanOurSettingIsRefused() throws Exception {
    URI uri = serve(p -> {
      p.settings();
      int id = p.awaitRequest();
      // Dynamic table size update to 100000 (001xxxxx, 5-bit prefix), then :status 200.
      byte[] block = {0x3f, (byte) 0x81, (byte) 0x8d, 0x06, (byte) 0x88};
      p.frame(HEADERS, END_HEADERS, id, block);
      p.drainUntilClosed();
    });
    assertThatThrownBy(() -> get(uri)).isInstanceOf(IOException.class)
        .hasMessageContaining("COMPRESSION_ERROR")
        .hasMessageContaining("size update to 100000 above our limit of 4096");
  }

  @Test
  void aFrameLargerThanOurMaximumIsRefused() throws Exception {
    URI uri = serve(p -> {
      p.settings();
      int id = p.awaitRequest();
      p.headers(id, false, ":status", "200");
      p.frame(0x0, 0, id, new byte[16_385]);
      p.drainUntilClosed();
    });
    try (TransportResponse r = get(uri)) {
      assertThatThrownBy(() -> drain(r)).isInstanceOf(IOException.class)
          .hasMessageContaining("FRAME_SIZE_ERROR")
          .hasMessageContaining("16385 bytes, above our maximum of 16384");
    }
  }

  @Test
  void dataBeyondTheStreamWindowIsAFlowControlError() throws Exception {
    CompletableFuture<Long> resetCode = new CompletableFuture<>();
    URI uri = serve(p -> {
      p.settings();
      int id = p.awaitRequest();
      p.headers(id, false, ":status", "200");
      // The window we announced, plus one frame more, without waiting for WINDOW_UPDATE.
      p.data(id, Http2Connection.STREAM_WINDOW + 16_384L, false);
      resetCode.complete(p.await(RST_STREAM).int32());
      p.drainUntilClosed();
    });
    try (TransportResponse r = get(uri)) {
      // Nothing is read before the client has refused the stream, so no window was given back.
      assertThat(resetCode.get(20, TimeUnit.SECONDS)).as("RST_STREAM code").isEqualTo(0x3);
      long[] got = new long[1];
      assertThatThrownBy(() -> {
        for (ByteBuffer b; (b = r.next(STALL)) != null; ) {
          got[0] += b.remaining();
        }
      }).isInstanceOf(IOException.class).hasMessageContaining("FLOW_CONTROL_ERROR");
      // Everything within the window was delivered; nothing beyond it was buffered.
      assertThat(got[0]).isEqualTo(Http2Connection.STREAM_WINDOW);
    }
  }

  @Test
  void aStreamThatNeverFinishesHitsTheStallTimeout() throws Exception {
    URI uri = serve(p -> {
      p.settings();
      int id = p.awaitRequest();
      p.headers(id, false, ":status", "200");
      p.data(id, 1000, false);
      p.drainUntilClosed();
    });
    try (TransportResponse r = get(uri)) {
      assertThat(r.next(STALL).remaining()).isEqualTo(1000);
      long start = System.nanoTime();
      assertThatThrownBy(() -> r.next(STALL)).isInstanceOf(StallException.class)
          .hasMessageContaining("no data for");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(STALL)
          .isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void aConnectionCutMidBodyFailsEveryOpenStream() throws Exception {
    CountDownLatch bothSent = new CountDownLatch(1);
    URI uri = serve(p -> {
      p.settings();
      int a = p.awaitRequest();
      int b = p.awaitRequest();
      for (int id : new int[] {a, b}) {
        p.headers(id, false, ":status", "200", "content-length", "100000");
        p.data(id, 30_000, false);
      }
      bothSent.await(10, TimeUnit.SECONDS);
      p.cut();
    });
    CompletableFuture<TransportResponse> first = CompletableFuture.supplyAsync(() -> send(uri));
    TransportResponse second = get(uri);
    TransportResponse firstResponse = first.get(10, TimeUnit.SECONDS);
    bothSent.countDown();
    for (TransportResponse r : new TransportResponse[] {firstResponse, second}) {
      try (r) {
        assertThatThrownBy(() -> drain(r)).isInstanceOf(IOException.class)
            .isNotInstanceOf(StallException.class)
            .hasMessageContaining("HTTP/2 connection to 127.0.0.1:" + server.port() + " failed");
      }
    }
  }

  private TransportResponse send(URI uri) {
    try {
      return get(uri);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aBodyShorterOrLongerThanContentLengthIsAnError() throws Exception {
    URI uri = serve(p -> {
      p.settings();
      int a = p.awaitRequest();
      p.headers(a, false, ":status", "200", "content-length", "1000");
      p.data(a, 500, true);
      int b = p.awaitRequest();
      p.headers(b, false, ":status", "200", "content-length", "1000");
      p.data(b, 1500, true);
      p.drainUntilClosed();
    });
    try (TransportResponse r = get(uri)) {
      assertThatThrownBy(() -> drain(r)).isInstanceOf(IOException.class)
          .hasMessageContaining("body of 500 bytes where Content-Length said 1000");
    }
    try (TransportResponse r = get(uri)) {
      assertThatThrownBy(() -> drain(r)).isInstanceOf(IOException.class)
          .hasMessageContaining("body longer than its Content-Length of 1000");
    }
  }

  @Test
  void aResponseNeedsAThreeDigitStatus() throws Exception {
    URI uri = serve(p -> {
      p.settings();
      p.headers(p.awaitRequest(), true, "content-length", "0");
      p.headers(p.awaitRequest(), true, ":status", "20");
      p.headers(p.awaitRequest(), true, ":status", "200", ":path", "/");
      p.drainUntilClosed();
    });
    assertThatThrownBy(() -> get(uri)).hasMessageContaining("response without :status");
    assertThatThrownBy(() -> get(uri)).hasMessageContaining(":status '20' is not a 3-digit code");
    assertThatThrownBy(() -> get(uri)).hasMessageContaining("pseudo-header :path in a response");
  }

  @Test
  void streamsAboveGoawaysLastStreamFailAndTheOthersFinish() throws Exception {
    URI uri = serve(p -> {
      p.settings();
      int a = p.awaitRequest();
      int b = p.awaitRequest();
      p.goaway(Math.min(a, b), 0);
      p.headers(Math.min(a, b), false, ":status", "200");
      p.data(Math.min(a, b), 10, true);
      p.drainUntilClosed();
    });
    CompletableFuture<TransportResponse> first = CompletableFuture.supplyAsync(() -> send(uri));
    CompletableFuture<TransportResponse> second = CompletableFuture.supplyAsync(() -> send(uri));
    int ok = 0;
    int refused = 0;
    for (CompletableFuture<TransportResponse> f : Arrays.asList(first, second)) {
      try (TransportResponse r = f.get(10, TimeUnit.SECONDS)) {
        assertThat(drain(r)).isEqualTo(10);
        ok++;
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(e.getCause()).hasMessageContaining("GOAWAY NO_ERROR")
            .hasMessageContaining("was not processed");
        refused++;
      }
    }
    assertThat(ok).isEqualTo(1);
    assertThat(refused).isEqualTo(1);
  }

  @Test
  void closingBeforeTheEndResetsTheStreamWithCancel() throws Exception {
    CompletableFuture<long[]> reset = new CompletableFuture<>();
    URI uri = serve(p -> {
      p.settings();
      int id = p.awaitRequest();
      p.headers(id, false, ":status", "200");
      p.data(id, 1000, false);
      H2TestServer.Frame f = p.await(RST_STREAM);
      reset.complete(new long[] {f.stream(), f.int32()});
      p.drainUntilClosed();
    });
    TransportResponse r = get(uri);
    assertThat(r.next(STALL).remaining()).isEqualTo(1000);
    r.close();
    assertThat(reset.get(5, TimeUnit.SECONDS)).containsExactly(1, 0x8);
    assertThatThrownBy(() -> r.next(STALL)).hasMessageContaining("response closed");
  }

  @Test
  void aServerLimitOfOneStreamOpensASecondConnection() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    URI uri = serve(p -> {
      p.settings(0x3, 1);
      int id = p.awaitRequest();
      p.headers(id, false, ":status", "200");
      release.await(10, TimeUnit.SECONDS);
      p.data(id, 10, true);
      p.drainUntilClosed();
    });
    try (TransportResponse a = get(uri); TransportResponse b = get(uri)) {
      release.countDown();
      assertThat(drain(a)).isEqualTo(10);
      assertThat(drain(b)).isEqualTo(10);
    }
    assertThat(server.accepted()).isEqualTo(2);
  }

  @Test
  void serverPushIsAProtocolError() throws Exception {
    URI uri = serve(p -> {
      p.settings();
      int id = p.awaitRequest();
      p.frame(0x5, END_HEADERS, id, new byte[] {0, 0, 0, 2, (byte) 0x82});
      p.drainUntilClosed();
    });
    assertThatThrownBy(() -> get(uri)).hasMessageContaining("PUSH_PROMISE although push is disabled");
  }
}
