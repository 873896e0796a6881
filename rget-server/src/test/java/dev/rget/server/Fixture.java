package dev.rget.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.UnaryOperator;

/**
 * A served directory with known content, and a running server on a free loopback port whose
 * access-log lines are collected.
 */
final class Fixture implements AutoCloseable {
  /** Length of {@code data.bin}, not a multiple of anything interesting. */
  static final int DATA_LEN = 100_003;
  /** Modification time of every fixture file: whole seconds, well in the past. */
  static final Instant MTIME = Instant.parse("2024-03-01T12:00:00Z");

  final Path root;
  final byte[] data;
  final ConcurrentLinkedQueue<String> log;
  final FileServer server;

  private Fixture(Path root, byte[] data, ConcurrentLinkedQueue<String> log, FileServer server) {
    this.root = root;
    this.data = data;
    this.log = log;
    this.server = server;
  }

  /** Creates the content under {@code root} and starts a server on it. */
  static Fixture start(Path root) throws IOException {
    return start(root, b -> b);
  }

  /** As {@link #start(Path)}, with {@code tweak} applied to the configuration. */
  static Fixture start(Path root, UnaryOperator<ServerConfig.Builder> tweak) throws IOException {
    byte[] data = randomBytes(DATA_LEN, 42);
    write(root.resolve("data.bin"), data);
    write(root.resolve("empty.bin"), new byte[0]);
    write(root.resolve("hello.txt"), "hello, world\n".getBytes(StandardCharsets.UTF_8));
    write(root.resolve("sub/inner.txt"), "inner\n".getBytes(StandardCharsets.UTF_8));
    Files.createDirectories(root.resolve("sub/deeper"));
    ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
    ServerConfig.Builder b = ServerConfig.builder().root(root).bind("127.0.0.1").port(0)
        .accessLogSink(log::add);
    return new Fixture(root, data, log, FileServer.start(tweak.apply(b).build()));
  }

  static void write(Path p, byte[] bytes) throws IOException {
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
    Files.setLastModifiedTime(p, FileTime.from(MTIME));
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  int port() {
    return server.port();
  }

  byte[] slice(long first, long last) {
    return Arrays.copyOfRange(data, (int) first, (int) last + 1);
  }

  List<String> logLines() {
    return List.copyOf(log);
  }

  @Override
  public void close() {
    server.close();
  }
}
