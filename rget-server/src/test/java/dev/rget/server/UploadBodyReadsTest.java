package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunked upload body whose bytes reach the server in awkward reads is still read to its end.
 * The client waits until the server has read each part before sending the next, so each test
 * forces one way the reads can fall: a read that holds only chunk framing (a chunk-size line, the
 * CRLF after a chunk's data) decodes to no body piece, and the server must still ask for the next
 * read. These are the interleavings that made {@code DraftProtocolTest.overTheMaxSizeIs413WithUploadLimit}
 * wait for an answer that never came, now and then, on a loaded machine.
 */
class UploadBodyReadsTest {
  static final String V8 = "Upload-Draft-Interop-Version: 8";
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path root;
  @TempDir Path updir;
  FileServer server;
  /** Bytes the server has read from its connections, counted before any decoding. */
  final AtomicLong received = new AtomicLong();

  @BeforeEach
  void start() throws IOException {
    Files.writeString(root.resolve("hello.txt"), "hello");
    ServerConfig config = ServerConfig.builder().root(root).bind("127.0.0.1").port(0).accessLog(false)
        .uploads(updir).uploadMaxSize(100_000).build();
    server = FileServer.start(config, ch -> ch.pipeline().addFirst("count", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
          received.addAndGet(b.readableBytes());
        }
        ctx.fireChannelRead(msg);
      }
    }));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A draft upload without content: returns its path. */
  String create() throws IOException {
    RawHttp.Response r = RawHttp.exchange(server.port(),
        RawHttp.request("POST", "/uploads/", V8, "Upload-Complete: ?0"));
    assertThat(r.status()).isEqualTo(201);
    return r.header("Location");
  }

  /** Sends {@code bytes} and waits until the server has read all it was sent so far. */
  void sendAndAwaitRead(RawHttp c, byte[] bytes) throws IOException, InterruptedException {
    long expected = received.get() + bytes.length;
    c.send(bytes);
    Await.until("the server to read " + expected + " bytes", WAIT, () -> received.get() == expected);
  }

  /** Reads the answer, saying plainly when none came: the server stopped reading the body. */
  static RawHttp.Response answer(RawHttp c) throws IOException {
    try {
      return c.read(false);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no answer: the server stopped reading the request body", e);
    }
  }

  static String patchHead(String loc) {
    return RawHttp.request("PATCH", loc, V8, "Content-Type: application/partial-upload", "Upload-Offset: 0",
        "Upload-Complete: ?0", "Transfer-Encoding: chunked");
  }

  @Test
  void aChunkSizeLineReadAloneAfterTheHeadDoesNotStopTheBody() throws Exception {
    String loc = create();
    received.set(0);
    try (RawHttp c = new RawHttp(server.port())) {
      sendAndAwaitRead(c, ascii(patchHead(loc)));
      sendAndAwaitRead(c, ascii("5\r\n")); // the first read of the body: no data in it
      c.send(ascii("hello\r\n0\r\n\r\n"));
      RawHttp.Response r = answer(c);
      assertThat(r.status()).isEqualTo(204);
      assertThat(r.header("Upload-Offset")).isEqualTo("5");
    }
  }

  @Test
  void onlyFramingInTheReadAfterTheFirstPieceDoesNotStopTheBody() throws Exception {
    String loc = create();
    received.set(0);
    try (RawHttp c = new RawHttp(server.port())) {
      // head and a whole first chunk in one read; its trailing CRLF alone in the next
      sendAndAwaitRead(c, ascii(patchHead(loc) + "3\r\nabc"));
      sendAndAwaitRead(c, ascii("\r\n"));
      c.send(ascii("2\r\nde\r\n0\r\n\r\n"));
      RawHttp.Response r = answer(c);
      assertThat(r.status()).isEqualTo(204);
      assertThat(r.header("Upload-Offset")).isEqualTo("5");
    }
  }

  /** The request of {@code DraftProtocolTest.overTheMaxSizeIs413WithUploadLimit}, in the reads that lost its answer. */
  @Test
  void aBodyOverTheMaxSizeGetsItsAnswerWhateverTheReads() throws Exception {
    String loc = create();
    received.set(0);
    byte[] chunk = new byte[60_000];
    try (RawHttp c = new RawHttp(server.port())) {
      sendAndAwaitRead(c, ascii(patchHead(loc)));
      sendAndAwaitRead(c, ascii(Integer.toHexString(chunk.length) + "\r\n"));
      c.send(chunk).send(ascii("\r\n" + Integer.toHexString(chunk.length) + "\r\n")).send(chunk)
          .send(ascii("\r\n0\r\n\r\n"));
      RawHttp.Response r = answer(c);
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.header("Upload-Limit")).contains("max-size=100000");
    }
  }
}
