package dev.rget.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.testkit.Content;
import dev.rget.testkit.FaultServer;
import dev.rget.testkit.Resource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real third-party client: the npm library {@code aria2} (aria2.js) runs
 * {@code src/test/node/aria2-client.js} against the daemon, over HTTP and over WebSocket: addUri,
 * tellStatus, pause, unpause, remove, an origin's 404, the five download notifications, tellStopped,
 * purgeDownloadResult, a wrong secret; files byte-exact. The same script runs against a real
 * {@code aria2c --enable-rpc}, the reference the script was calibrated on. Needs {@code .ci/run}
 * to have installed {@code rget-daemon/src/test/node/node_modules}.
 */
class Aria2JsInteropTest {
  static final Path NODE_DIR = Path.of("src/test/node").toAbsolutePath();
  private static final String SECRET = "s3cret-for-the-test";

  private final List<String> output = new ArrayList<>();
  private Path dir;
  private FaultServer origin;
  private Content fast;
  private Content slow;

  @BeforeEach
  void setUp() throws IOException {
    assertThat(NODE_DIR.resolve("node_modules/aria2")).as("run .ci/run to install the npm packages").isDirectory();
    dir = Files.createTempDirectory("rget-aria2js");
    fast = Content.pseudoRandom(3 << 20, 21);
    slow = Content.pseudoRandom(3 << 20, 22);
    origin = new FaultServer();
    origin.put("/fast.bin", fast);
    // Slow enough that pause and remove land while the download is active (about 6 s in all).
    origin.put("/slow.bin", Resource.builder(slow).rateLimit(512 << 10).build());
  }

  @AfterEach
  void tearDown() throws IOException {
    origin.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @ParameterizedTest(name = "rget daemon over {0}")
  @ValueSource(strings = {"http", "ws"})
  void aria2jsDrivesTheDaemon(String transport) throws Exception {
    try (Daemon d = Daemon.start(DaemonConfig.defaults(dir).withPort(0).withSecret(SECRET).withMaxActive(2),
        line -> System.err.println("daemon: " + line))) {
      runScript(d.port(), transport);
    }
  }

  /** The calibration: the same script against aria2 itself. */
  @ParameterizedTest(name = "aria2c over {0}")
  @ValueSource(strings = {"http", "ws"})
  void theSameScriptPassesAgainstAria2c(String transport) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process aria2c = new ProcessBuilder("aria2c", "--no-conf", "--enable-rpc", "--rpc-listen-port=" + port,
        "--rpc-secret=" + SECRET, "--dir=" + dir, "--quiet", "--auto-file-renaming=false", "--allow-overwrite=true")
        .redirectErrorStream(true).redirectOutput(dir.resolve("aria2c.log").toFile()).start();
    try {
      awaitListening(port, aria2c);
      runScript(port, transport);
    } finally {
      aria2c.destroy();
      aria2c.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void runScript(int port, String transport) throws Exception {
    List<String> cmd = List.of("node", NODE_DIR.resolve("aria2-client.js").toString(), Integer.toString(port), SECRET,
        transport, dir.toString(), origin.url("/fast.bin").toString(), fast.sha256(),
        origin.url("/slow.bin").toString(), slow.sha256(), origin.url("/missing.bin").toString());
    Process node = new ProcessBuilder(cmd).directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) { // ends when node exits; the script has its own timeouts
        output.add(line);
      }
    }
    assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as("aria2-client.js output: %s", output).isZero();
    assertThat(output).anyMatch(l -> l.startsWith("step paused "))
        .contains("step done " + transport);
    // Checked here too, independently of the script's own hashing.
    assertThat(Content.sha256Of(fileContent("fast-" + transport + ".bin"))).isEqualTo(fast.sha256());
    assertThat(Content.sha256Of(fileContent("slow-" + transport + ".bin"))).isEqualTo(slow.sha256());
  }

  private Content fileContent(String name) throws IOException {
    return Content.of(Files.readAllBytes(dir.resolve(name)));
  }

  private static void awaitListening(int port, Process p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return;
      } catch (IOException e) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("aria2c is not listening on " + port + " (alive: " + p.isAlive() + ")", e);
        }
        Thread.sleep(50); // nothing to wait on but the port: retry the connect
      }
    }
  }
}
