package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload body of known length is read in large pieces (the CPU of 16 KiB reads was most of an
 * upload's cost), but never past its end: a request sent right behind the body is read at most
 * {@link Limits#MAX_READ} at a time, as every request head is.
 */
class UploadReadSizeTest {
  static final String V8 = "Upload-Draft-Interop-Version: 8";
  static final int BODY = 4 << 20;

  @TempDir Path root;
  @TempDir Path updir;
  FileServer server;
  /** The size of every read the server made from its connections, in order. */
  final List<Integer> reads = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    Files.writeString(root.resolve("hello.txt"), "hello");
    ServerConfig config = ServerConfig.builder().root(root).bind("127.0.0.1").port(0).accessLog(false)
        .uploads(updir).uploadMaxSize(64 << 20).build();
    server = FileServer.start(config, ch -> ch.pipeline().addFirst("count", new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
          reads.add(b.readableBytes());
        }
        ctx.fireChannelRead(msg);
      }
    }));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aBodyIsReadInLargePiecesAndNothingPastItsEnd() throws Exception {
    RawHttp.Response created = RawHttp.exchange(server.port(),
        RawHttp.request("POST", "/uploads/", V8, "Upload-Complete: ?0"));
    assertThat(created.status()).isEqualTo(201);
    String loc = created.header("Location");
    byte[] body = new byte[BODY];
    new Random(7).nextBytes(body);
    byte[] head = RawHttp.request("PATCH", loc, V8, "Content-Type: application/partial-upload",
        "Upload-Offset: 0", "Upload-Complete: ?0", "Content-Length: " + BODY).getBytes(StandardCharsets.US_ASCII);
    // a pipelined request right behind the body, with a long header line: its bytes must not come
    // in with a large read
    String next = RawHttp.request("GET", "/hello.txt", "X-Filler: " + "x".repeat(12_000));
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(head);
    all.write(body);
    all.write(next.getBytes(StandardCharsets.US_ASCII));
    reads.clear();
    try (RawHttp c = new RawHttp(server.port())) {
      c.send(all.toByteArray());
      RawHttp.Response r = c.read(false);
      assertThat(r.status()).isEqualTo(204);
      assertThat(r.header("Upload-Offset")).isEqualTo(String.valueOf(BODY));
      RawHttp.Response hello = c.read(false);
      assertThat(hello.status()).isEqualTo(200);
      assertThat(new String(hello.body(), StandardCharsets.US_ASCII)).isEqualTo("hello");
    }
    assertThat(reads.stream().mapToInt(Integer::intValue).max().orElse(0))
        .as("the largest read, of %s", reads).isGreaterThan(Limits.MAX_READ);
    long bodyEnd = head.length + (long) BODY;
    long at = 0;
    for (int n : reads) {
      if (at + n > bodyEnd) {
        assertThat(n).as("a read of %s bytes from offset %s, past the body's end at %s", n, at, bodyEnd)
            .isLessThanOrEqualTo(Limits.MAX_READ);
        assertThat(at).as("a read that crosses the body's end").isGreaterThanOrEqualTo(head.length + (long) BODY - Limits.MAX_READ);
      }
      at += n;
    }
    Path part = updir.resolve(".rget-uploads").resolve(loc.substring("/uploads/".length()) + ".part");
    assertThat(Files.readAllBytes(part)).isEqualTo(body);
  }
}
