package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/1.1 pipelining on the tus endpoint, over a raw socket: requests sent back to back on one
 * connection (the next one's head and body already in the socket, even in the same segment) are
 * handled one at a time, in order, each only after the previous one was answered. So a client may
 * send PATCH k+1 (at the offset k will end at) right after PATCH k's body.
 */
@Timeout(60)
class TusPipeliningTest {
  static final String TUS = "Tus-Resumable: 1.0.0";
  static final String OCTETS = "Content-Type: application/offset+octet-stream";

  @TempDir Path root;
  @TempDir Path updir;
  Fixture fx;
  int port;

  @BeforeEach
  void start() throws IOException {
    fx = Fixture.start(root, b -> b.uploads(updir).uploadMaxSize(64L << 20));
    port = fx.server.port();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  private String create(long length, String name) throws IOException {
    RawHttp.Response r = RawHttp.exchange(port, RawHttp.request("POST", "/uploads/", TUS,
        "Upload-Length: " + length,
        "Upload-Metadata: filename " + Base64.getEncoder().encodeToString(name.getBytes(StandardCharsets.UTF_8))));
    assertThat(r.status()).isEqualTo(201);
    return r.header("Location");
  }

  /** A PATCH request, head and body, with the body's crc32c (or a wrong one). */
  private static byte[] patch(String loc, long offset, byte[] body, boolean damaged) throws IOException {
    CRC32C crc = new CRC32C();
    crc.update(body);
    byte[] sum = ByteBuffer.allocate(4).putInt((int) crc.getValue() ^ (damaged ? 1 : 0)).array();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(RawHttp.request("PATCH", loc, TUS, OCTETS, "Upload-Offset: " + offset, "Content-Length: " + body.length,
        "Upload-Checksum: crc32c " + Base64.getEncoder().encodeToString(sum)).getBytes(StandardCharsets.ISO_8859_1));
    b.write(body);
    return b.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  @Test
  void smallPatchesInOneSegmentAreAnsweredInOrder() throws IOException {
    String loc = create(9, "small.txt");
    try (RawHttp c = new RawHttp(port)) {
      c.send(concat(patch(loc, 0, "abc".getBytes(StandardCharsets.US_ASCII), false),
          patch(loc, 3, "def".getBytes(StandardCharsets.US_ASCII), false),
          RawHttp.request("HEAD", loc, TUS).getBytes(StandardCharsets.ISO_8859_1),
          patch(loc, 6, "ghi".getBytes(StandardCharsets.US_ASCII), false)));
      RawHttp.Response first = c.read(false);
      assertThat(first.status()).isEqualTo(204);
      assertThat(first.header("Upload-Offset")).isEqualTo("3");
      RawHttp.Response second = c.read(false);
      assertThat(second.status()).isEqualTo(204);
      assertThat(second.header("Upload-Offset")).isEqualTo("6");
      RawHttp.Response head = c.read(true);
      assertThat(head.header("Upload-Offset")).as("the HEAD sees both PATCHes before it, not the one after").isEqualTo("6");
      RawHttp.Response third = c.read(false);
      assertThat(third.status()).isEqualTo(204);
      assertThat(third.header("Upload-Offset")).isEqualTo("9");
    }
    assertThat(Files.readString(updir.resolve("small.txt"))).isEqualTo("abcdefghi");
  }

  @Test
  void largePatchesBackToBackAreEachCheckedAndKept() throws Exception {
    byte[] data = new byte[6 << 20];
    new Random(3).nextBytes(data);
    String loc = create(data.length, "large.bin");
    int chunk = 2 << 20;
    try (RawHttp c = new RawHttp(port)) {
      // all three requests written before any answer is read (the answers wait in the socket)
      java.util.concurrent.atomic.AtomicReference<IOException> failed = new java.util.concurrent.atomic.AtomicReference<>();
      Thread writer = new Thread(() -> {
        try {
          for (int at = 0; at < data.length; at += chunk) {
            c.send(patch(loc, at, Arrays.copyOfRange(data, at, at + chunk), false));
          }
        } catch (IOException e) {
          failed.set(e);
        }
      });
      writer.start();
      for (int at = chunk; at <= data.length; at += chunk) {
        RawHttp.Response r = c.read(false);
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Upload-Offset")).isEqualTo(Integer.toString(at));
      }
      writer.join(10_000);
      assertThat(failed.get()).isNull();
    }
    assertThat(Files.readAllBytes(updir.resolve("large.bin"))).isEqualTo(data);
  }

  @Test
  void aMismatchLeavesTheOffsetAndThePatchBehindItIsAConflict() throws IOException {
    String loc = create(6, "x.txt");
    try (RawHttp c = new RawHttp(port)) {
      c.send(concat(patch(loc, 0, "abc".getBytes(StandardCharsets.US_ASCII), true),
          patch(loc, 3, "def".getBytes(StandardCharsets.US_ASCII), false)));
      RawHttp.Response first = c.read(false);
      assertThat(first.status()).isEqualTo(460);
      assertThat(first.header("Upload-Offset")).isEqualTo("0");
      RawHttp.Response second = c.read(false);
      assertThat(second.status()).as("sent for an offset the first did not reach").isEqualTo(409);
      assertThat(second.header("Upload-Offset")).isEqualTo("0");
    }
    RawHttp.Response head = RawHttp.exchange(port, RawHttp.request("HEAD", loc, TUS));
    assertThat(head.header("Upload-Offset")).isEqualTo("0");
  }
}
