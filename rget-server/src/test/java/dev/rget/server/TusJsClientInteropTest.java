package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tus-js-client (the tus project's own client, from npm, run by Node) uploads to
 * {@code rget serve --uploads}, is SIGKILLed part-way, and resumes the same upload to a byte-exact
 * file, over tus 1.0.0 and over the IETF draft; and sends parts in parallel through concatenation. Needs {@code .ci/run} to have installed {@code rget-server/src/test/node/node_modules}.
 */
class TusJsClientInteropTest {
  static final Path NODE_DIR = Path.of("src/test/node").toAbsolutePath();
  static final int SIZE = 12 * 1024 * 1024 + 12345;
  static final int CHUNK = 512 * 1024;

  @TempDir Path root;
  @TempDir Path updir;
  @TempDir Path work;

  @Test
  void killedPartWayThenResumedToAByteExactFile() throws Exception {
    killedAndResumed("tus-v1");
  }

  /** The same over the IETF draft (tus-js-client's ietf-draft-05: interop version 6). */
  @Test
  void speakingTheIetfDraftKilledPartWayThenResumedToAByteExactFile() throws Exception {
    killedAndResumed("ietf-draft-05");
  }

  /** Three parts in parallel through tus concatenation, assembled into one byte-exact file. */
  @Test
  void parallelPartsAreConcatenatedIntoAByteExactFile() throws Exception {
    assertThat(NODE_DIR.resolve("node_modules/tus-js-client")).as("run .ci/run to install the npm packages")
        .isDirectory();
    byte[] data = Fixture.randomBytes(SIZE, 12);
    Path file = work.resolve("parallel.bin");
    Files.write(file, data);
    try (Fixture fx = Fixture.start(root, b -> b.uploads(updir))) {
      String endpoint = "http://127.0.0.1:" + fx.server.port() + "/uploads/";
      Node node = Node.run(NODE_DIR, "tus-js-upload.js", endpoint, file.toString(),
          work.resolve("urls.json").toString(), String.valueOf(CHUNK), "0", "", "tus-v1", "3");
      node.awaitLine(l -> l.startsWith("done "));
      assertThat(node.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readAllBytes(updir.resolve("parallel.bin"))).isEqualTo(data);
      // three partial uploads and one final one were created; the parts are gone once assembled
      assertThat(fx.log.stream().filter(l -> l.contains(" POST /uploads/ ")).count()).as(String.join("\n", fx.log))
          .isEqualTo(4);
      try (var hidden = Files.list(updir.resolve(".rget-uploads"))) {
        assertThat(hidden.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
      }
    }
  }

  private void killedAndResumed(String protocol) throws Exception {
    assertThat(NODE_DIR.resolve("node_modules/tus-js-client")).as("run .ci/run to install the npm packages")
        .isDirectory();
    byte[] data = Fixture.randomBytes(SIZE, 11);
    Path file = work.resolve("payload.bin");
    Files.write(file, data);
    Path storage = work.resolve("tus-urls.json");
    try (Fixture fx = Fixture.start(root, b -> b.uploads(updir).uploadToken("s3cret"))) {
      String endpoint = "http://127.0.0.1:" + fx.server.port() + "/uploads/";
      // Slowed (a pause before each request) so that it is surely killed part-way.
      Node first = Node.run(NODE_DIR, "tus-js-upload.js", endpoint, file.toString(), storage.toString(),
          String.valueOf(CHUNK), "100", "s3cret", protocol);
      first.awaitLine(l -> l.startsWith("progress ") && Long.parseLong(l.split(" ")[1]) >= 3L * CHUNK);
      first.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      assertThat(first.lines).noneMatch(l -> l.startsWith("done"));
      assertThat(updir.resolve("payload.bin")).doesNotExist();

      Node second = Node.run(NODE_DIR, "tus-js-upload.js", endpoint, file.toString(), storage.toString(),
          String.valueOf(4 * CHUNK), "0", "s3cret", protocol);
      second.awaitLine(l -> l.startsWith("done "));
      assertThat(second.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(second.lines.get(0)).startsWith("resuming ");
      // the first progress report of the resumed run is beyond what a fresh start could have sent
      long firstReport = second.lines.stream().filter(l -> l.startsWith("progress ")).findFirst()
          .map(l -> Long.parseLong(l.split(" ")[1])).orElseThrow();
      assertThat(firstReport).isGreaterThan(4L * CHUNK);
      try (var names = Files.list(updir)) {
        assertThat(names.map(p -> p.getFileName().toString())).as(String.join("\n", second.lines))
            .contains("payload.bin");
      }
      assertThat(Files.readAllBytes(updir.resolve("payload.bin"))).isEqualTo(data);
      try (var names = Files.list(updir)) {
        assertThat(names.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("payload.bin",
            ".rget-uploads");
      }
    }
  }

  /** A Node child process whose stdout lines are collected. */
  static final class Node {
    final Process process;
    final List<String> lines = new ArrayList<>();
    final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

    private Node(Process process) {
      this.process = process;
    }

    static Node run(Path dir, String script, String... args) throws IOException {
      List<String> cmd = new ArrayList<>(List.of("node", dir.resolve(script).toString()));
      cmd.addAll(List.of(args));
      Process p = new ProcessBuilder(cmd).directory(dir.toFile())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      Node n = new Node(p);
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            n.queue.add(line);
          }
        } catch (IOException e) {
          n.queue.add("reader failed: " + e);
        }
        n.queue.add("<eof>");
      }, "node-stdout");
      t.setDaemon(true);
      t.start();
      return n;
    }

    /** Waits (up to 60 s) for a line matching {@code want}; fails on end of output. */
    String awaitLine(Predicate<String> want) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        String l = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (l == null) {
          throw new AssertionError("node printed no expected line within 60 s; got " + lines);
        }
        if (l.equals("<eof>")) {
          throw new AssertionError("node ended before the expected line; printed " + lines);
        }
        lines.add(l);
        if (want.test(l)) {
          return l;
        }
      }
    }
  }
}
