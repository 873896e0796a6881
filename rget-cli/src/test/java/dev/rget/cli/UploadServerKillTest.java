package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.Rget;
import dev.rget.core.upload.TusUpload;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second "done when": {@code rget serve --uploads} in a child JVM (the launcher's heap
 * flags) is SIGKILLed during an upload made by the library's {@link TusUpload} (what
 * {@link Rget#upload} runs), and started again on the
 * same port and directories while the client is retrying. The client resumes from the offset the
 * restarted server reports (not from zero), and the uploaded file is byte-exact.
 */
@Timeout(300)
class UploadServerKillTest {
  private static final long MIB = 1 << 20;
  private static final long SIZE = 128 * MIB;

  @TempDir Path root;
  @TempDir Path updir;
  @TempDir Path work;
  private final List<Process> servers = new ArrayList<>();

  @AfterEach
  void stopServers() throws InterruptedException {
    for (Process p : servers) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void serverKilledAndRestartedMidUploadIsResumedFromItsDurableOffset() throws Exception {
    Path file = work.resolve("data.bin");
    String sha = UploadKillTest.writeRandom(file, SIZE, 42);
    int port = freePort();
    Process server = serve(port);

    AtomicInteger failures = new AtomicInteger();
    List<Long> offsets = new java.util.concurrent.CopyOnWriteArrayList<>();
    TusUpload.Result[] result = new TusUpload.Result[1];
    // Through the library, with listeners to see the retries and the offsets the server reported.
    TusUpload up = TusUpload.builder(file, URI.create("http://127.0.0.1:" + port + "/uploads/"))
        .stateDir(work.resolve("state"))
        .listener((offset, length) -> offsets.add(offset))
        .retryListener((n, pause, cause) -> failures.incrementAndGet())
        .build();
    Thread client = new Thread(() -> {
      try {
        result[0] = up.run();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    client.start();

    await(() -> partialBytes() >= SIZE / 4, "a quarter of the file on the server's disk");
    server.destroyForcibly();
    assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
    int seenBeforeRestart = offsets.size();
    // The client keeps trying while nothing listens: wait for two failed attempts, then restart.
    await(() -> failures.get() >= 2, "the client retrying while the server is down");
    assertThat(client.isAlive()).isTrue();
    serve(port);

    client.join(TimeUnit.SECONDS.toMillis(120));
    assertThat(client.isAlive()).as("upload finished").isFalse();
    assertThat(result[0]).as("upload succeeded").isNotNull();
    assertThat(UploadKillTest.sha256(updir.resolve("data.bin"))).isEqualTo(sha);

    // The first offset after the restart came from the restarted server's HEAD: the durable one.
    long resumedAt = offsets.get(seenBeforeRestart);
    long lastAcked = offsets.get(seenBeforeRestart - 1);
    assertThat(resumedAt).as("resumed, not started over").isPositive();
    // Every chunk the server acknowledged before the kill was durable, so it is not sent again.
    assertThat(resumedAt).as("durable offset covers every acknowledged chunk").isGreaterThanOrEqualTo(lastAcked);
    long chunk = TusUpload.autoChunkSize(SIZE);
    // Pipelined PATCHes put two chunks on the wire (the one the server is storing, the next one
    // queued behind it), and a server killed then keeps neither.
    assertThat(result[0].bytesSent()).as("bytes sent: the file, the two chunks on the wire, and slack for one more")
        .isLessThanOrEqualTo(SIZE + 3 * chunk);
  }

  private Process serve(int port) throws Exception {
    List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-Xmx96m", "-Xmn16m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "serve", "--uploads", updir.toString(), root.toString(), "-p", Integer.toString(port), "-q");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("serve.log").toFile())).start();
    servers.add(p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!accepts(port)) {
      assertThat(p.isAlive()).as("server running: " + Files.readString(work.resolve("serve.log"))).isTrue();
      assertThat(System.nanoTime()).as("server listening within 60 s").isLessThan(deadline);
      Thread.sleep(20);
    }
    return p;
  }

  /** Bytes in the server's partial upload files. */
  private long partialBytes() {
    Path hidden = updir.resolve(".rget-uploads");
    if (!Files.isDirectory(hidden)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(hidden)) {
      return s.filter(p -> p.toString().endsWith(".part")).mapToLong(p -> p.toFile().length()).sum();
    } catch (IOException e) {
      return 0; // listed while a file was renamed: look again
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("within 60 s: " + what).isLessThan(deadline);
      Thread.sleep(2);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
