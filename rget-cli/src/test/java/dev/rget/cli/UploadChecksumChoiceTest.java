package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Rget;
import dev.rget.core.upload.UploadOptions;
import dev.rget.server.FileServer;
import dev.rget.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which {@code Upload-Checksum} the client sends: the cheapest algorithm the server announces in
 * {@code OPTIONS} (crc32c from {@code rget serve}, sha256 from a server with only sha1 and sha256),
 * none from a server without the checksum extension; each value is checked against the chunk's
 * bytes.
 */
@Timeout(60)
class UploadChecksumChoiceTest {
  private static final int CHUNK = 1 << 20;
  private static final Pattern PATCH_CHECKSUM =
      Pattern.compile("PATCH [^\r\n]* HTTP/1\\.1\r\n(?:[^\r\n]+\r\n)*?Upload-Checksum: ([a-z0-9]+) ([A-Za-z0-9+/=]+)\r\n");

  @TempDir Path root;
  @TempDir Path updir;
  @TempDir Path work;

  @Test
  void againstRgetServeEachPatchCarriesTheCrc32cOfItsChunk() throws Exception {
    byte[] data = data(3 * CHUNK + 17);
    Path file = work.resolve("c.bin");
    Files.write(file, data);
    try (FileServer server = FileServer.start(ServerConfig.builder().root(root).bind("127.0.0.1")
        .port(0).accessLogSink(line -> {}).uploads(updir).build());
        RecordingRelay relay = new RecordingRelay(server.port())) {
      Rget.upload(file, URI.create("http://127.0.0.1:" + relay.port() + "/uploads/"),
          UploadOptions.builder().chunkSize(CHUNK).stateDir(work.resolve("state")).build())
          .result().get(30, TimeUnit.SECONDS);
      assertThat(Files.readAllBytes(updir.resolve("c.bin"))).isEqualTo(data);
      List<String[]> sums = new ArrayList<>();
      Matcher m = PATCH_CHECKSUM.matcher(relay.upstream());
      while (m.find()) {
        sums.add(new String[] {m.group(1), m.group(2)});
      }
      assertThat(sums).hasSize(4);
      for (int i = 0; i < sums.size(); i++) {
        int from = i * CHUNK;
        int len = Math.min(CHUNK, data.length - from);
        assertThat(sums.get(i)[0]).isEqualTo("crc32c");
        assertThat(sums.get(i)[1]).as("chunk %d", i).isEqualTo(crc32c(data, from, len));
      }
    }
  }

  @Test
  void againstAServerOfferingOnlySha1AndSha256EachPatchCarriesASha256() throws Exception {
    byte[] data = data(2 * CHUNK + 5);
    List<String> heads = upload(data, "Tus-Extension: creation,checksum\r\nTus-Checksum-Algorithm: sha1,sha256\r\n");
    List<String> patches = heads.stream().filter(h -> h.startsWith("PATCH ")).toList();
    assertThat(patches).hasSize(3);
    for (int i = 0; i < patches.size(); i++) {
      int from = i * CHUNK;
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data, from, Math.min(CHUNK, data.length - from));
      assertThat(patches.get(i)).contains("\r\nUpload-Checksum: sha256 "
          + Base64.getEncoder().encodeToString(md.digest()) + "\r\n");
    }
  }

  @Test
  void againstAServerWithoutTheChecksumExtensionNoPatchCarriesOne() throws Exception {
    List<String> heads = upload(data(CHUNK + 5), "Tus-Extension: creation,termination\r\n");
    List<String> patches = heads.stream().filter(h -> h.startsWith("PATCH ")).toList();
    assertThat(patches).hasSize(2);
    assertThat(patches).noneMatch(h -> h.toLowerCase(java.util.Locale.ROOT).contains("upload-checksum"));
  }

  /** Uploads {@code data} to a scripted tus server whose OPTIONS adds {@code discovery}; its request heads. */
  private List<String> upload(byte[] data, String discovery) throws Exception {
    Path file = work.resolve("s.bin");
    Files.write(file, data);
    AtomicLong offset = new AtomicLong();
    try (ScriptedTusServer server = new ScriptedTusServer(head -> {
      if (head.startsWith("OPTIONS ")) {
        return "HTTP/1.1 204 No Content\r\nTus-Resumable: 1.0.0\r\nTus-Version: 1.0.0\r\n" + discovery + "\r\n";
      }
      if (head.startsWith("POST ")) {
        return "HTTP/1.1 201 Created\r\nTus-Resumable: 1.0.0\r\nLocation: /uploads/x\r\nContent-Length: 0\r\n\r\n";
      }
      long len = Long.parseLong(head.replaceAll("(?s).*\r\nContent-Length: (\\d+)\r\n.*", "$1"));
      return "HTTP/1.1 204 No Content\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: " + offset.addAndGet(len) + "\r\n\r\n";
    })) {
      Rget.upload(file, URI.create(server.endpoint()),
          UploadOptions.builder().chunkSize(CHUNK).retries(0).stateDir(work.resolve("state")).build())
          .result().get(30, TimeUnit.SECONDS);
      assertThat(offset.get()).isEqualTo(data.length);
      int options = server.heads.indexOf(server.heads.stream().filter(h -> h.startsWith("OPTIONS ")).findFirst().orElseThrow());
      int firstPatch = server.heads.indexOf(server.heads.stream().filter(h -> h.startsWith("PATCH ")).findFirst().orElseThrow());
      assertThat(options).as("the algorithms are asked for before the first PATCH").isLessThan(firstPatch);
      return server.heads;
    }
  }

  private static byte[] data(int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return data;
  }

  private static String crc32c(byte[] data, int from, int len) {
    CRC32C crc = new CRC32C();
    crc.update(data, from, len);
    int v = (int) crc.getValue();
    return Base64.getEncoder().encodeToString(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
  }

  /** A TCP relay on loopback to a target port that keeps every byte the client sent. */
  private static final class RecordingRelay implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    private final int target;
    private final ByteArrayOutputStream up = new ByteArrayOutputStream();
    private final List<Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();

    RecordingRelay(int target) throws IOException {
      this.target = target;
      Thread t = new Thread(this::acceptLoop, "recording-relay");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    /** What clients sent so far, as ISO-8859-1 text (one char per byte). */
    String upstream() {
      synchronized (up) {
        return up.toString(StandardCharsets.ISO_8859_1);
      }
    }

    private void acceptLoop() {
      while (!listener.isClosed()) {
        try {
          Socket client = listener.accept();
          Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
          open.add(client);
          open.add(server);
          pump(client, server, true);
          pump(server, client, false);
        } catch (IOException e) {
          if (!listener.isClosed()) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
    }

    private void pump(Socket from, Socket to, boolean record) {
      Thread t = new Thread(() -> {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          int n;
          while ((n = in.read(buf)) >= 0) {
            if (record) {
              synchronized (up) {
                up.write(buf, 0, n);
              }
            }
            out.write(buf, 0, n);
          }
        } catch (IOException e) {
          // one side closed: the relay of this connection ends
        } finally {
          try {
            to.shutdownOutput();
          } catch (IOException e) {
            // the other side is gone already
          }
        }
      }, "recording-relay-pump");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
