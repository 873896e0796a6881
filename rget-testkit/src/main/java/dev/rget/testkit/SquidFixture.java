package dev.rget.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real squid forward proxy on a free loopback port, started in the foreground ({@code -N})
 * with its config and logs in a temporary directory; optionally with proxy Basic authentication
 * ({@code basic_ncsa_auth}, password hashed by {@code openssl passwd -1}). Run as root, squid
 * switches to the {@code proxy} user, so its directory is made readable and its logs writable
 * for that user. {@code CONNECT} is allowed to every port.
 *
 * <p>The access log has one line per request: {@code METHOD URL STATUS USER}, e.g.
 * {@code CONNECT 127.0.0.1:8443 200 alice} or {@code GET http://127.0.0.1:8080/f 206 -}.
 */
public final class SquidFixture implements AutoCloseable {
  private final ServerProcess server;

  private SquidFixture(ServerProcess server) {
    this.server = server;
  }

  /** Whether squid and (for authentication) openssl are installed. */
  public static boolean available() {
    return ServerProcess.executable("squid").isPresent()
        && ServerProcess.executable("openssl").isPresent();
  }

  /** A message for skipped tests. */
  public static String unavailableReason() {
    return available() ? "squid is available"
        : "squid or openssl not found (apt-get install squid openssl; .ci/run does)";
  }

  /** Starts squid without authentication. */
  public static SquidFixture start() throws IOException {
    return start(null, null);
  }

  /** Starts squid demanding Basic proxy authentication as {@code user}/{@code password}. */
  public static SquidFixture start(String user, String password) throws IOException {
    Path squid = ServerProcess.executable("squid")
        .orElseThrow(() -> new IllegalStateException(unavailableReason()));
    Path dir = Files.createTempDirectory("rget-squid-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (user != null) {
      Files.writeString(dir.resolve("passwd"), user + ":" + md5crypt(password) + "\n");
    }
    for (String log : List.of("access.log", "cache.log")) {
      Files.createFile(dir.resolve(log));
    }
    if (ServerProcess.isRoot()) {
      UserPrincipal proxyUser = dir.getFileSystem().getUserPrincipalLookupService()
          .lookupPrincipalByName("proxy");
      for (String log : List.of("access.log", "cache.log")) {
        Files.setOwner(dir.resolve(log), proxyUser);
      }
    }
    ServerProcess p = ServerProcess.start("squid", dir,
        port -> Files.writeString(dir.resolve("squid.conf"), config(dir, port, user != null)),
        port -> List.of(squid.toString(), "-N", "-f", dir.resolve("squid.conf").toString()),
        out -> out.contains("Address already in use") || out.contains("Cannot bind"),
        Duration.ofSeconds(20));
    return new SquidFixture(p);
  }

  private static String config(Path dir, int port, boolean auth) {
    StringBuilder c = new StringBuilder();
    c.append("http_port 127.0.0.1:").append(port).append('\n');
    c.append("pid_filename ").append(dir.resolve("squid.pid")).append('\n');
    c.append("logformat rget %rm %ru %>Hs %un\n");
    c.append("access_log stdio:").append(dir.resolve("access.log")).append(" rget\n");
    c.append("cache_log ").append(dir.resolve("cache.log")).append('\n');
    c.append("cache_store_log none\ncache deny all\ncache_mem 8 MB\n");
    c.append("coredump_dir ").append(dir).append('\n');
    c.append("shutdown_lifetime 0 seconds\nicp_port 0\nhtcp_port 0\nnetdb_filename none\n");
    c.append("pinger_enable off\nbuffered_logs off\nforwarded_for delete\n");
    if (ServerProcess.isRoot()) {
      c.append("cache_effective_user proxy\n");
    }
    if (auth) {
      c.append("auth_param basic program /usr/lib/squid/basic_ncsa_auth ")
          .append(dir.resolve("passwd")).append('\n');
      c.append("auth_param basic realm rget-test\n");
      c.append("acl authed proxy_auth REQUIRED\nhttp_access allow authed\n");
    } else {
      c.append("http_access allow all\n");
    }
    c.append("http_access deny all\n");
    return c.toString();
  }

  private static String md5crypt(String password) throws IOException {
    Process p = new ProcessBuilder("openssl", "passwd", "-1", "-stdin").start();
    p.getOutputStream().write((password + "\n").getBytes());
    p.getOutputStream().close();
    String hash = new String(p.getInputStream().readAllBytes()).strip();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("openssl passwd failed: "
            + new String(p.getErrorStream().readAllBytes()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return hash;
  }

  /** The proxy's port. */
  public int port() {
    return server.port();
  }

  /** {@code http://127.0.0.1:port}, or with {@code user:password@} when given. */
  public String url(String userInfo) {
    return "http://" + (userInfo == null ? "" : userInfo + "@") + "127.0.0.1:" + port();
  }

  /** The access log lines so far. */
  public List<String> accessLog() {
    List<String> out = new ArrayList<>();
    for (String l : server.read("access.log").split("\n")) {
      if (!l.isBlank()) {
        out.add(l.strip());
      }
    }
    return out;
  }

  /** Waits until at least {@code n} access log lines contain {@code text}; returns all lines. */
  public List<String> awaitLog(String text, int n, Duration timeout) throws InterruptedException {
    server.await("access.log",
        t -> t.lines().filter(l -> l.contains(text)).count() >= n, timeout);
    return accessLog();
  }

  /** Stops squid. */
  @Override
  public void close() {
    server.close();
  }
}
