package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HTTP/1.1 mechanics: methods, HEAD, keep-alive, pipelining, framing errors. */
class ProtocolTest {
  @TempDir static Path dir;
  static Fixture f;

  @BeforeAll
  static void start() throws Exception {
    f = Fixture.start(dir);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"})
  void otherMethodsGet405WithAllow(String method) throws Exception {
    RawHttp.Response r = RawHttp.exchange(f.port(), RawHttp.request(method, "/data.bin"));
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.header("Allow")).isEqualTo("GET, HEAD");
  }

  @Test
  void postWithABodyGets405ThenTheConnectionCloses() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      c.send("POST /data.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello");
      RawHttp.Response r = c.read(false);
      assertThat(r.status()).isEqualTo(405);
      assertThat(r.header("Connection")).isEqualTo("close");
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void fileReplyCarriesAllHeaders() throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/hello.txt");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(r.header("Content-Length")).isEqualTo("13");
    assertThat(r.header("Accept-Ranges")).isEqualTo("bytes");
    assertThat(r.header("ETag")).matches("\"[0-9a-f]{16}-d\"");
    assertThat(r.header("Last-Modified")).isEqualTo("Fri, 01 Mar 2024 12:00:00 GMT");
    assertThat(r.header("Date")).endsWith(" GMT");
    assertThat(r.statusLine()).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void keepAliveServesManyRequestsOnOneConnection() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      for (int i = 0; i < 20; i++) {
        RawHttp.Response r = c.send(RawHttp.request("GET", "/data.bin", "Range: bytes=" + i + "-" + (i + 9))).read(false);
        assertThat(r.body()).isEqualTo(f.slice(i, i + 9));
      }
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      c.send(RawHttp.request("GET", "/hello.txt") + RawHttp.request("HEAD", "/data.bin")
          + RawHttp.request("GET", "/data.bin", "Range: bytes=0-9,500-509")
          + RawHttp.request("GET", "/missing") + RawHttp.request("GET", "/sub/inner.txt"));
      assertThat(c.read(false).text()).isEqualTo("hello, world\n");
      assertThat(c.read(true).header("Content-Length")).isEqualTo("100003");
      RawHttp.Response multi = c.read(false);
      assertThat(MultipartParser.parse(multi.body(), multi.header("Content-Type"))).hasSize(2);
      assertThat(c.read(false).status()).isEqualTo(404);
      assertThat(c.read(false).text()).isEqualTo("inner\n");
    }
  }

  @Test
  void http10WithoutKeepAliveIsClosedAfterTheReply() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      RawHttp.Response r = c.send("GET /hello.txt HTTP/1.0\r\n\r\n").read(false);
      assertThat(r.text()).isEqualTo("hello, world\n");
      assertThat(r.header("Connection")).isEqualTo("close");
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void http10KeepAliveIsHonoured() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      RawHttp.Response r = c.send("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read(false);
      assertThat(r.header("Connection")).isEqualTo("keep-alive");
      assertThat(c.send("GET /sub/inner.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read(false).text())
          .isEqualTo("inner\n");
    }
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      RawHttp.Response r = c.send(RawHttp.request("GET", "/hello.txt", "Connection: close")).read(false);
      assertThat(r.text()).isEqualTo("hello, world\n");
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void http11WithoutHostIsRejected() throws Exception {
    RawHttp.Response r = RawHttp.exchange(f.port(), "GET /hello.txt HTTP/1.1\r\n\r\n");
    assertThat(r.status()).isEqualTo(400);
  }

  @Test
  void garbageRequestLineGets400AndClose() throws Exception {
    for (String junk : List.of("HELLO\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/1.1 extra\r\nHost: localhost\r\n\r\n")) {
      try (RawHttp c = new RawHttp(f.port())) {
        RawHttp.Response r = c.send(junk).read(false);
        assertThat(r.status()).as(junk).isEqualTo(400);
        assertThat(c.closedByPeer()).isTrue();
      }
    }
  }

  @Test
  void unsupportedMajorVersionGets505() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      RawHttp.Response r = c.send("GET /hello.txt HTTP/2.0\r\nHost: localhost\r\n\r\n").read(false);
      assertThat(r.status()).isEqualTo(505);
    }
  }

  @Test
  void tooLongRequestLineGets414() throws Exception {
    String path = "/" + "a".repeat(Limits.MAX_REQUEST_LINE + 10);
    try (RawHttp c = new RawHttp(f.port())) {
      RawHttp.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").read(false);
      assertThat(r.status()).isEqualTo(414);
    }
  }

  @Test
  void emptyFileHasZeroLength() throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/empty.bin");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Length")).isEqualTo("0");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void missingFileIs404() throws Exception {
    assertThat(RawHttp.get(f.port(), "/no/such/file").status()).isEqualTo(404);
  }
}
