package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rget upload} in a child process against the reference Node server {@code @tus/server}
 * (with {@code @tus/file-store}), SIGKILLed part-way and run again: exactly one upload on the
 * server, byte-exact, and the second run resumed. Needs {@code .ci/run} to have installed
 * {@code rget-server/src/test/node/node_modules}.
 */
class TusServerInteropTest {
  static final Path NODE_DIR = Path.of("../rget-server/src/test/node").toAbsolutePath().normalize();
  static final int SIZE = 24 * 1024 * 1024 + 4321;

  @TempDir Path store;
  @TempDir Path work;
  @TempDir Path stateDir;

  @Test
  void killedPartWayThenRunAgainIsOneByteExactUpload() throws Exception {
    assertThat(NODE_DIR.resolve("node_modules/@tus/server")).as("run .ci/run to install the npm packages")
        .isDirectory();
    byte[] data = new byte[SIZE];
    new Random(9).nextBytes(data);
    Path file = work.resolve("payload.bin");
    Files.write(file, data);
    Process node = new ProcessBuilder("node", NODE_DIR.resolve("tus-server.js").toString(), store.toString())
        .redirectErrorStream(true).start();
    try {
      String endpoint = endpoint(node);

      // Small chunks so that the kill surely lands part-way.
      Process up = rget(file, endpoint, "16k", work.resolve("first.log"));
      await(up, () -> dataBytes() >= 1 << 20);
      up.destroyForcibly();
      assertThat(up.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long before = dataBytes();
      assertThat(before).isBetween(1L << 20, (long) SIZE - 1);

      Process again = rget(file, endpoint, "1m", work.resolve("second.log"));
      assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String log = Files.readString(work.resolve("second.log"));
      assertThat(again.exitValue()).as(log).isZero();
      assertThat(log).contains("resumed at ");
      List<Path> uploads = dataFiles();
      assertThat(uploads).as("exactly one upload on the server").hasSize(1);
      assertThat(Files.readAllBytes(uploads.get(0))).isEqualTo(data);
    } finally {
      node.destroyForcibly();
      node.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * {@code rget upload -n 4}: @tus/file-store does not offer concatenation, so the file goes as
   * one stream, with a notice saying so.
   */
  @Test
  void partsOnAServerWithoutConcatenationGoAsOneStreamWithANotice() throws Exception {
    assertThat(NODE_DIR.resolve("node_modules/@tus/server")).as("run .ci/run to install the npm packages")
        .isDirectory();
    byte[] data = new byte[SIZE];
    new Random(10).nextBytes(data);
    Path file = work.resolve("parts.bin");
    Files.write(file, data);
    Process node = new ProcessBuilder("node", NODE_DIR.resolve("tus-server.js").toString(), store.toString())
        .redirectErrorStream(true).start();
    try {
      Process up = rget(file, endpoint(node), "1m", work.resolve("parts.log"), "-n", "4");
      assertThat(up.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String log = Files.readString(work.resolve("parts.log"));
      assertThat(up.exitValue()).as(log).isZero();
      assertThat(log).contains("note: the server does not offer tus concatenation; uploading as one stream");
      List<Path> uploads = dataFiles();
      assertThat(uploads).as("one upload, not parts").hasSize(1);
      assertThat(Files.readAllBytes(uploads.get(0))).isEqualTo(data);
    } finally {
      node.destroyForcibly();
      node.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The creation URL of the node server, from its first line. */
  private static String endpoint(Process node) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
    String first = out.readLine();
    assertThat(first).startsWith("listening ");
    return "http://127.0.0.1:" + first.substring("listening ".length()).trim() + "/files/";
  }

  private Process rget(Path file, String endpoint, String chunk, Path log, String... more) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-XX:+UseSerialGC", "-Xmx96m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "upload", file.toString(), endpoint, "--chunk-size", chunk, "--state-dir", stateDir.toString()));
    cmd.addAll(List.of(more));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /** The upload data files of @tus/file-store (each has a NAME.json beside it). */
  private List<Path> dataFiles() throws IOException {
    try (Stream<Path> s = Files.list(store)) {
      return s.filter(p -> !p.getFileName().toString().endsWith(".json")).toList();
    }
  }

  private long dataBytes() {
    try {
      long n = 0;
      for (Path p : dataFiles()) {
        n += Files.size(p);
      }
      return n;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Polls {@code condition} while {@code p} runs (bounded). */
  private static void await(Process p, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("upload still running").isTrue();
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(2);
    }
    throw new AssertionError("condition not reached");
  }
}
