package dev.rget.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real nginx serving a directory on a free loopback port, for comparisons and interoperability
 * tests. It runs in the foreground as a single process ({@code daemon off; master_process off;})
 * that is a child of the test JVM, with its config, pid file, temp dirs and logs in a fresh
 * temporary directory; {@link #close()} stops it (a JVM shutdown hook also kills leftovers).
 *
 * <p>Callers should skip when {@link #available()} is false, e.g.
 * {@code assumeTrue(NginxFixture.available(), NginxFixture.unavailableReason())}. Needs nginx
 * 1.19.5 or newer (for {@code -e}).
 *
 * <p>The access log has one line per request in the format {@code $request_method|$status|
 * $bytes_sent|$body_bytes_sent|$http_range|$http_if_range|$connection|$connection_requests|
 * $request_time|$uri}; see {@link #accessLog()}. Lines are written when nginx finishes a request,
 * which can be a moment after the client has read the last byte: use
 * {@link #awaitAccessLog(int, Duration)}.
 */
public final class NginxFixture implements AutoCloseable {

  private static final Path FALLBACK = Paths.get("/usr/sbin/nginx");
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final int PORT_ATTEMPTS = 5;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
        "nginx-fixture-reaper"));
  }

  /** One parsed access log line. */
  public record AccessLogEntry(String method, int status, long bytesSent, long bodyBytesSent,
      String range, String ifRange, long connection, long connectionRequests,
      double requestTime, String uri) {

    static AccessLogEntry parse(String line) {
      String[] f = line.split("\\|", 10);
      if (f.length != 10) {
        throw new IllegalArgumentException("unexpected access log line: " + line);
      }
      return new AccessLogEntry(f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]),
          Long.parseLong(f[3]), dash(f[4]), dash(f[5]), Long.parseLong(f[6]),
          Long.parseLong(f[7]), Double.parseDouble(f[8]), f[9]);
    }

    private static String dash(String v) {
      return v.equals("-") ? null : v;
    }
  }

  private final Path root;
  private final Path dir;
  private final int port;
  private final Process process;

  private NginxFixture(Path root, Path dir, int port, Process process) {
    this.root = root;
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  // ---------------------------------------------------------------- discovery

  /** The nginx executable: the first {@code nginx} on PATH, else /usr/sbin/nginx if present. */
  public static Optional<Path> executable() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        if (d.isEmpty()) {
          continue;
        }
        Path p = Paths.get(d, "nginx");
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Files.isExecutable(FALLBACK) ? Optional.of(FALLBACK) : Optional.empty();
  }

  /** Whether an nginx executable was found. */
  public static boolean available() {
    return executable().isPresent();
  }

  /** A message for skipped tests. */
  public static String unavailableReason() {
    return available() ? "nginx is available at " + executable().get()
        : "nginx not found on PATH or at " + FALLBACK + " (apt-get install nginx-light)";
  }

  /** A builder for a fixture serving {@code root}. */
  public static Builder builder(Path root) {
    return new Builder(root);
  }

  /** Starts nginx serving {@code root} with default settings. */
  public static NginxFixture start(Path root) throws IOException {
    return builder(root).start();
  }

  // ---------------------------------------------------------------- accessors

  /** The loopback port nginx listens on. */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:port/}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port + "/");
  }

  /** The absolute URI of {@code path} (starting with {@code /}). */
  public URI url(String path) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/': " + path);
    }
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** The served directory. */
  public Path root() {
    return root;
  }

  /** The temporary directory holding config, logs and temp files. */
  public Path dir() {
    return dir;
  }

  /** The generated nginx.conf. */
  public Path configFile() {
    return dir.resolve("nginx.conf");
  }

  /** The access log file. */
  public Path accessLogFile() {
    return dir.resolve("access.log");
  }

  /** The error log file. */
  public Path errorLogFile() {
    return dir.resolve("error.log");
  }

  /** The error log's current text (empty if none). */
  public String errorLog() {
    return readOrEmpty(errorLogFile());
  }

  /** The access log entries written so far. */
  public List<AccessLogEntry> accessLog() {
    List<AccessLogEntry> entries = new ArrayList<>();
    for (String line : readOrEmpty(accessLogFile()).split("\n")) {
      if (!line.isBlank()) {
        entries.add(AccessLogEntry.parse(line.strip()));
      }
    }
    return entries;
  }

  /** Waits until the access log has at least {@code n} entries, then returns them all. */
  public List<AccessLogEntry> awaitAccessLog(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<AccessLogEntry> entries = accessLog();
      if (entries.size() >= n || System.nanoTime() >= deadline) {
        return entries;
      }
      Thread.sleep(10);
    }
  }

  /** Sum of {@code $body_bytes_sent} over the access log. */
  public long bodyBytesSent() {
    return accessLog().stream().mapToLong(AccessLogEntry::bodyBytesSent).sum();
  }

  /** Sum of {@code $bytes_sent} (headers included) over the access log. */
  public long bytesSent() {
    return accessLog().stream().mapToLong(AccessLogEntry::bytesSent).sum();
  }

  /** Empties the access log (nginx keeps appending to the same file). */
  public void truncateAccessLog() throws IOException {
    try (var ch = java.nio.channels.FileChannel.open(accessLogFile(),
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
  }

  /** Whether the nginx process is still running. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /** Stops nginx (TERM, then KILL after 5 s) and deletes the temporary directory. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(process);
      if (!Boolean.getBoolean("rget.testkit.keepNginxDir")) {
        deleteTree(dir);
      }
    }
  }

  @Override
  public String toString() {
    return "NginxFixture[" + baseUri() + " root=" + root + " dir=" + dir + "]";
  }

  // ---------------------------------------------------------------- internals

  private static String readOrEmpty(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }

  private static int freePort() throws IOException {
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

  /** Configures and starts an {@link NginxFixture}. */
  public static final class Builder {
    private final Path root;
    private long limitRate;
    private long limitRateAfter;
    private boolean sendfile = true;
    private String extraHttpConfig = "";
    private String extraServerConfig = "";
    private Duration startTimeout = Duration.ofSeconds(10);

    private Builder(Path root) {
      this.root = Objects.requireNonNull(root);
    }

    /** {@code limit_rate} in bytes/s (nginx applies it per request/connection); 0 = off. */
    public Builder limitRate(long bytesPerSecond) {
      this.limitRate = bytesPerSecond;
      return this;
    }

    /** {@code limit_rate_after}: bytes sent at full speed before limit_rate applies. */
    public Builder limitRateAfter(long bytes) {
      this.limitRateAfter = bytes;
      return this;
    }

    /** {@code sendfile on|off} (default on). */
    public Builder sendfile(boolean on) {
      this.sendfile = on;
      return this;
    }

    /** Extra directives inside {@code http { }}. */
    public Builder extraHttpConfig(String directives) {
      this.extraHttpConfig = Objects.requireNonNull(directives);
      return this;
    }

    /** Extra directives inside {@code server { }}. */
    public Builder extraServerConfig(String directives) {
      this.extraServerConfig = Objects.requireNonNull(directives);
      return this;
    }

    /** How long to wait for the port to accept connections (default 10 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * Writes the config, starts nginx and waits until its port accepts connections.
     *
     * @throws IllegalStateException if nginx is not available
     * @throws IOException if nginx does not come up (the message includes its error output)
     */
    public NginxFixture start() throws IOException {
      Path nginx = executable().orElseThrow(() -> new IllegalStateException(unavailableReason()));
      Path absRoot = root.toAbsolutePath().normalize();
      if (!Files.isDirectory(absRoot)) {
        throw new IOException("not a directory: " + absRoot);
      }
      Path dir = Files.createTempDirectory("rget-nginx-");
      Files.createDirectories(dir.resolve("tmp"));
      String lastFailure = "";
      for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        int port = freePort();
        Files.writeString(dir.resolve("nginx.conf"), config(dir, absRoot, port));
        Files.deleteIfExists(dir.resolve("error.log"));
        ProcessBuilder pb = new ProcessBuilder(nginx.toString(),
            "-e", dir.resolve("error.log").toString(),
            "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .redirectError(dir.resolve("stderr.log").toFile());
        Process p = pb.start();
        LIVE.add(p);
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (p.isAlive() && System.nanoTime() < deadline && !accepts(port)) {
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            p.destroyForcibly();
            LIVE.remove(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting nginx", e);
          }
        }
        if (p.isAlive() && accepts(port)) {
          return new NginxFixture(absRoot, dir, port, p);
        }
        p.destroyForcibly();
        try {
          p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        LIVE.remove(p);
        lastFailure = readOrEmpty(dir.resolve("stderr.log")) + readOrEmpty(dir.resolve("error.log"));
        if (!lastFailure.contains("Address already in use")) {
          break;
        }
      }
      deleteTree(dir);
      throw new IOException("nginx did not start: " + lastFailure.strip());
    }

    String config(Path dir, Path root, int port) {
      boolean isRoot = "root".equals(System.getProperty("user.name"));
      String tmp = dir.resolve("tmp").toString();
      StringBuilder c = new StringBuilder();
      c.append("daemon off;\nmaster_process off;\nworker_processes 1;\n");
      if (isRoot) {
        c.append("user root;\n");
      }
      c.append("pid ").append(q(dir.resolve("nginx.pid"))).append(";\n");
      c.append("error_log ").append(q(dir.resolve("error.log"))).append(" notice;\n");
      c.append("events { worker_connections 1024; }\n");
      c.append("http {\n");
      c.append("  default_type application/octet-stream;\n");
      c.append("  client_body_temp_path ").append(q(tmp + "/body")).append(";\n");
      c.append("  proxy_temp_path ").append(q(tmp + "/proxy")).append(";\n");
      c.append("  fastcgi_temp_path ").append(q(tmp + "/fastcgi")).append(";\n");
      c.append("  uwsgi_temp_path ").append(q(tmp + "/uwsgi")).append(";\n");
      c.append("  scgi_temp_path ").append(q(tmp + "/scgi")).append(";\n");
      c.append("  log_format rget '$request_method|$status|$bytes_sent|$body_bytes_sent|"
          + "$http_range|$http_if_range|$connection|$connection_requests|$request_time|$uri';\n");
      c.append("  access_log ").append(q(dir.resolve("access.log"))).append(" rget;\n");
      c.append("  sendfile ").append(sendfile ? "on" : "off").append(";\n");
      c.append("  keepalive_timeout 60s;\n  keepalive_requests 100000;\n");
      c.append("  server_tokens off;\n");
      c.append(extraHttpConfig).append('\n');
      c.append("  server {\n");
      c.append("    listen 127.0.0.1:").append(port).append(";\n");
      c.append("    server_name localhost;\n");
      c.append("    root ").append(q(root)).append(";\n");
      if (limitRate > 0) {
        c.append("    limit_rate ").append(limitRate).append(";\n");
      }
      if (limitRateAfter > 0) {
        c.append("    limit_rate_after ").append(limitRateAfter).append(";\n");
      }
      c.append(extraServerConfig).append('\n');
      c.append("  }\n}\n");
      return c.toString();
    }

    private static String q(Object path) {
      return '"' + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
  }
}
