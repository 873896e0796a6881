package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The request decoder is strict, and strict by its own settings: framing that two parsers could
 * read differently (the stuff of request smuggling) is refused with 400 and a closed connection,
 * whatever Netty's defaults or system properties say.
 */
class DecoderStrictnessTest {
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

  /** {@code |} stands for CRLF, {@code ~} for a bare LF, {@code ^} for a bare CR. */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = ';', value = {
      "duplicate Content-Length, equal;      GET /hello.txt HTTP/1.1|Host: localhost|Content-Length: 0|Content-Length: 0||; 400",
      "duplicate Content-Length, different;  GET /hello.txt HTTP/1.1|Host: localhost|Content-Length: 0|Content-Length: 1||x; 400",
      "Content-Length list;                  GET /hello.txt HTTP/1.1|Host: localhost|Content-Length: 1, 1||x; 400",
      "Content-Length with a sign;           GET /hello.txt HTTP/1.1|Host: localhost|Content-Length: +1||x; 400",
      "negative Content-Length;              GET /hello.txt HTTP/1.1|Host: localhost|Content-Length: -1||; 400",
      "Transfer-Encoding and Content-Length; GET /hello.txt HTTP/1.1|Host: localhost|Transfer-Encoding: chunked|Content-Length: 5||0||; 400",
      "Transfer-Encoding in HTTP/1.0;        GET /hello.txt HTTP/1.0|Host: localhost|Transfer-Encoding: chunked||0||; 400",
      "final coding not chunked;             GET /hello.txt HTTP/1.1|Host: localhost|Transfer-Encoding: gzip||; 400",
      "chunked twice;                        GET /hello.txt HTTP/1.1|Host: localhost|Transfer-Encoding: chunked, chunked||0||; 400",
      "bare LF line endings;                 GET /hello.txt HTTP/1.1~Host: localhost~~; 400",
      "one bare LF;                          GET /hello.txt HTTP/1.1|Host: localhost~|; 400",
      "bare CR inside a value;               GET /hello.txt HTTP/1.1|Host: localhost|X-A: a^b||; 400",
      "obsolete line folding;                GET /hello.txt HTTP/1.1|Host: localhost|X-A: a| b||; 400",
      "folding with a tab;                   GET /hello.txt HTTP/1.1|Host: localhost|X-A: a|\tb||; 400",
      "whitespace before the first field;    GET /hello.txt HTTP/1.1| Host: localhost||; 400",
      "whitespace before the colon;          GET /hello.txt HTTP/1.1|Host : localhost||; 400",
      "control character in a value;         GET /hello.txt HTTP/1.1|Host: localhost|X-A: a\u0001b||; 400",
      "field without a colon;                GET /hello.txt HTTP/1.1|Host: localhost|X-A||; 400",
      "two Host fields;                      GET /hello.txt HTTP/1.1|Host: localhost|Host: localhost||; 400",
  })
  void ambiguousFramingIsRefusedAndTheConnectionClosed(String what, String request, int status) throws Exception {
    String raw = request.replace("|", "\r\n").replace("~", "\n").replace("^", "\r");
    try (RawHttp c = new RawHttp(f.port())) {
      RawHttp.Response r = c.send(raw).read(false);
      assertThat(r.status()).as(what).isEqualTo(status);
      assertThat(r.header("Connection")).isEqualTo("close");
      assertThat(c.closedByPeer()).isTrue();
    }
    assertThat(RawHttp.get(f.port(), "/hello.txt").status()).isEqualTo(200);
  }

  @Test
  void hundredFieldsAreAcceptedAndTheHundredAndFirstGets431() throws Exception {
    String[] ninetyNine = IntStream.range(0, 99).mapToObj(i -> "X-F" + i + ": v").toArray(String[]::new);
    assertThat(RawHttp.get(f.port(), "/hello.txt", ninetyNine).status()).isEqualTo(200); // + Host = 100
    String[] hundred = IntStream.range(0, 100).mapToObj(i -> "X-F" + i + ": v").toArray(String[]::new);
    try (RawHttp c = new RawHttp(f.port())) {
      RawHttp.Response r = c.send(RawHttp.request("GET", "/hello.txt", hundred)).read(false);
      assertThat(r.status()).isEqualTo(431);
      assertThat(c.closedByPeer()).isTrue();
    }
  }

  @Test
  void theStrictnessIsSetInCodeNotLeftToDefaults() {
    HttpDecoderConfig c = RequestDecoder.config();
    assertThat(c.isStrictLineParsing()).isTrue();
    assertThat(c.isUseRfc9112TransferEncoding()).isTrue();
    assertThat(c.isAllowDuplicateContentLengths()).isFalse();
    assertThat(c.getMaxInitialLineLength()).isEqualTo(Limits.MAX_REQUEST_LINE);
    assertThat(c.getMaxHeaderSize()).isEqualTo(Limits.MAX_HEADER_SIZE);
  }

  @Test
  void systemPropertiesThatRelaxNettysDefaultsChangeNothing(@TempDir Path root) throws Exception {
    Files.writeString(root.resolve("hello.txt"), "hello\n");
    try (ChildServer child = ChildServer.start(root,
        "-Dio.netty.handler.codec.http.defaultStrictLineParsing=false",
        "-Dio.netty.handler.codec.http.rfc9112TransferEncoding=false")) {
      assertThat(RawHttp.exchange(child.port, "GET /hello.txt HTTP/1.1\nHost: localhost\n\n").status())
          .isEqualTo(400);
      assertThat(RawHttp.exchange(child.port, "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n"
          + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n").status()).isEqualTo(400);
      assertThat(RawHttp.get(child.port, "/hello.txt").text()).isEqualTo("hello\n");
    }
  }

  @Test
  void foldingIsRefusedAsSuchEvenWhenSplitAcrossReads() {
    EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder());
    ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: localhost\r\nX-A: a\r\n", StandardCharsets.US_ASCII));
    ch.writeInbound(Unpooled.copiedBuffer(" b\r\n\r\n", StandardCharsets.US_ASCII));
    HttpRequest req = ch.readInbound();
    assertThat(req.decoderResult().cause()).isInstanceOf(RequestDecoder.ObsFoldException.class);
    ch.finishAndReleaseAll();
  }

  @Test
  void pipelinedRequestsAreDecodedOneAtATime() throws Exception {
    RequestDecoder decoder = new RequestDecoder();
    EmbeddedChannel ch = new EmbeddedChannel(decoder);
    ch.writeInbound(Unpooled.copiedBuffer(RawHttp.request("GET", "/a") + RawHttp.request("GET", "/b"),
        StandardCharsets.US_ASCII));
    assertThat(((HttpRequest) ch.readInbound()).uri()).isEqualTo("/a");
    assertThat((Object) ch.readInbound()).isInstanceOf(LastHttpContent.class);
    assertThat((Object) ch.readInbound()).as("/b stays raw bytes until resume()").isNull();
    decoder.resume();
    assertThat(((HttpRequest) ch.readInbound()).uri()).isEqualTo("/b");
    ch.finishAndReleaseAll();
  }
}
