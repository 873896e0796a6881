package dev.rget.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.testkit.FaultServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Response heads that could be read two ways are refused, and a server cannot hold a connection
 * with an endless head: table tests of {@link ResponseHead} and tests of {@link Http1Transport}
 * against a {@link FaultServer} that writes hostile bytes.
 */
class ResponseHeadTest {
  @AutoClose final FaultServer server = FaultServer.open();

  private static ResponseHead head(String text) throws IOException {
    return ResponseHead.parse(text.replace("|", "\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "HTTP/1.1 2x0 OK",
      "HTTP/1.1 -20 OK",
      "HTTP/1.1 99 Low",
      "HTTP/2 200 OK",
      "ICY 200 OK",
      "HTTP/1.1 200OK",
      "HTTP/1.1 200 OK|Bad Name: x",
      "HTTP/1.1 200 OK|Name : x",
      "HTTP/1.1 200 OK|: x",
      "HTTP/1.1 200 OK| folded: first line",
  })
  void malformedHeadsAreRefused(String text) {
    assertThatThrownBy(() -> head(text)).isInstanceOf(IOException.class);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = ';', value = {
      "+5", "-1", "0x10", "1e3", "5 5", "''", "99999999999999999999",
      "5|Content-Length: 6", "5, 6",
  })
  void contentLengthThatIsNotOneNumberIsRefused(String value) throws IOException {
    ResponseHead h = head("HTTP/1.1 200 OK|Content-Length: " + value);
    assertThatThrownBy(h::bodyLength).isInstanceOf(IOException.class);
  }

  @Test
  void repeatedEqualContentLengthsAreOneLength() throws IOException {
    assertThat(head("HTTP/1.1 200 OK|Content-Length: 7|Content-Length: 7").bodyLength())
        .isEqualTo(7);
    assertThat(head("HTTP/1.1 200 OK|Content-Length: 7, 7").bodyLength()).isEqualTo(7);
    assertThat(head("HTTP/1.1 200 OK").bodyLength()).isEqualTo(-1);
  }

  @ParameterizedTest(name = "{0} -> chunked {1}")
  @CsvSource(delimiter = ';', value = {
      "chunked; true",
      "Chunked; true",
      "gzip, chunked; true",
      "chunked, gzip; false",
      "notchunked; false",
      "xchunked; false",
      "identity; false",
  })
  void transferEncodingIsMatchedAsTheLastToken(String value, boolean chunked) throws IOException {
    ResponseHead h = head("HTTP/1.1 200 OK|Transfer-Encoding: " + value + "|Content-Length: 5");
    assertThat(h.framing().chunked()).isEqualTo(chunked);
    assertThat(h.bodyLength()).as("Transfer-Encoding overrides Content-Length").isEqualTo(-1);
  }

  @Test
  void obsoleteLineFoldingBecomesASpace() throws IOException {
    ResponseHead h = head("HTTP/1.1 200 OK|X-Long: one|  two|\tthree");
    assertThat(h.first("x-long")).contains("one two three");
  }

  @Test
  void tooManyFieldsAreRefused() {
    String many = "|X: y".repeat(ResponseHead.MAX_FIELDS + 1);
    assertThatThrownBy(() -> head("HTTP/1.1 200 OK" + many)).hasMessageContaining("header fields");
  }

  private Http1Transport transport(Duration headTimeout) {
    return new Http1Transport(Duration.ofSeconds(5), headTimeout, "test", null);
  }

  @Test
  void aTrickledHeadMeetsOneDeadlineForTheWholeHead() throws Exception {
    // One header byte every 100 ms never trips a per-read timeout of 1 s, but the whole head
    // must arrive within that second.
    server.handle("/trickle", (req, out, sock) -> {
      write(out, "HTTP/1.1 200 OK\r\n");
      for (int i = 0; i < 100; i++) {
        write(out, "X");
        sleepQuietly(100);
      }
      return false;
    });
    try (Http1Transport t = transport(Duration.ofSeconds(1))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> t.send(get("/trickle"))).isInstanceOf(StallException.class)
          .hasMessageContaining("not complete");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
    }
  }

  @Test
  void endlessInterimResponsesAreRefused() throws Exception {
    server.handle("/continue", (req, out, sock) -> {
      for (int i = 0; i < 1000; i++) {
        write(out, "HTTP/1.1 100 Continue\r\n\r\n");
      }
      write(out, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      return false;
    });
    try (Http1Transport t = transport(Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> t.send(get("/continue"))).hasMessageContaining("informational");
    }
  }

  @Test
  void endlessChunkedTrailersAreRefused() throws Exception {
    server.handle("/trailers", (req, out, sock) -> {
      write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n");
      for (int i = 0; i < 10_000; i++) {
        write(out, "X-Trailer-" + i + ": " + "v".repeat(40) + "\r\n");
      }
      return false;
    });
    try (Http1Transport t = transport(Duration.ofSeconds(5));
        TransportResponse r = t.send(get("/trailers"))) {
      assertThat(r.next(Duration.ofSeconds(5)).remaining()).isEqualTo(3);
      assertThatThrownBy(() -> {
        while (r.next(Duration.ofSeconds(5)) != null) {
          // drain until the framer gives up
        }
      }).hasMessageContaining("trailer");
    }
  }

  @Test
  void conflictingContentLengthsFailTheExchange() throws Exception {
    server.handle("/two", (req, out, sock) -> {
      write(out, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabc");
      return false;
    });
    try (Http1Transport t = transport(Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> t.send(get("/two"))).hasMessageContaining("conflicting");
    }
  }

  private TransportRequest get(String path) {
    return new TransportRequest("GET", server.url(path), Map.of());
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
