package dev.rget.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A server program run in the foreground as a child of the test JVM, on a free loopback port,
 * with its files in a temporary directory: the common part of {@link SquidFixture},
 * {@link DanteFixture} and {@link LighttpdFixture}. A JVM shutdown hook kills leftovers.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final int PORT_ATTEMPTS = 5;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
        "server-fixture-reaper"));
  }

  private final String name;
  private final Path dir;
  private final int port;
  private final Process process;

  private ServerProcess(String name, Path dir, int port, Process process) {
    this.name = name;
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** The first executable {@code name} on PATH or in /usr/sbin. */
  public static Optional<Path> executable(String name) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : (path + File.pathSeparator + "/usr/sbin").split(File.pathSeparator)) {
        if (!d.isEmpty()) {
          Path p = Paths.get(d, name);
          if (Files.isRegularFile(p) && Files.isExecutable(p)) {
            return Optional.of(p);
          }
        }
      }
    }
    return Optional.empty();
  }

  /** Whether the tests run as root (servers then need to be told which user to be). */
  public static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /**
   * Starts {@code command(port)} in {@code dir} after {@code configure(port)} wrote its config,
   * and waits until the port accepts connections; retries on another port when the chosen one
   * was taken meanwhile.
   *
   * @param configure writes the config for a port, before each attempt
   * @param command the command line for a port
   * @param addressInUse whether a failed start's output says the port was taken
   */
  public static ServerProcess start(String name, Path dir, IOConsumer configure,
      IntFunction<List<String>> command, Predicate<String> addressInUse, Duration timeout)
      throws IOException {
    String lastFailure = "";
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      int port = freePort();
      configure.accept(port);
      Path out = dir.resolve(name + ".out");
      Process p = new ProcessBuilder(command.apply(port)).directory(dir.toFile())
          .redirectErrorStream(true).redirectOutput(out.toFile()).start();
      LIVE.add(p);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (p.isAlive() && System.nanoTime() < deadline && !accepts(port)) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          p.destroyForcibly();
          LIVE.remove(p);
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while starting " + name, e);
        }
      }
      if (p.isAlive() && accepts(port)) {
        return new ServerProcess(name, dir, port, p);
      }
      stop(p);
      lastFailure = read(out);
      if (!addressInUse.test(lastFailure)) {
        break;
      }
    }
    throw new IOException(name + " did not start: " + lastFailure.strip());
  }

  /** Writes a config for a port. */
  @FunctionalInterface
  public interface IOConsumer {
    /** Writes the config for {@code port}. */
    void accept(int port) throws IOException;
  }

  /** The port the server listens on. */
  public int port() {
    return port;
  }

  /** The server's directory. */
  public Path dir() {
    return dir;
  }

  /** Whether the server still runs. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /** The text of a file in the server's directory, empty if absent. */
  public String read(String file) {
    return read(dir.resolve(file));
  }

  /**
   * Waits until {@code file} holds text that {@code done} accepts (servers write logs a moment
   * after the client saw the response), then returns the text, accepted or not.
   */
  public String await(String file, Predicate<String> done, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String text = read(file);
      if (done.test(text) || System.nanoTime() >= deadline) {
        return text;
      }
      Thread.sleep(25);
    }
  }

  /** Stops the server (TERM, then KILL) and deletes its directory. */
  @Override
  public void close() {
    stop(process);
    if (!Boolean.getBoolean("rget.testkit.keepServerDirs")) {
      deleteTree(dir);
    }
  }

  @Override
  public String toString() {
    return name + " on 127.0.0.1:" + port + " in " + dir;
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(p);
    }
  }

  static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a leftover temp dir is harmless
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
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
