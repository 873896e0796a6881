package dev.rget.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Dante SOCKS5 server ({@code danted}) on a free loopback port, with its config and log
 * in a temporary directory, logging at debug level 1 so that every request's address type shows
 * ({@code ATYP: 3 address: localhost.8080} for a name the proxy resolves, {@code ATYP: 1} for an
 * IPv4 address) and its authentication ({@code auth: none} or {@code auth: username}).
 *
 * <p>Dante checks user names and passwords against the system's accounts, so a fixture with
 * authentication needs a real account: {@link SystemUser} makes a throw-away one (root only).
 */
public final class DanteFixture implements AutoCloseable {
  private final ServerProcess server;

  private DanteFixture(ServerProcess server) {
    this.server = server;
  }

  /** Whether danted is installed. */
  public static boolean available() {
    return ServerProcess.executable("danted").isPresent();
  }

  /** A message for skipped tests. */
  public static String unavailableReason() {
    return available() ? "danted is available"
        : "danted not found (apt-get install dante-server; .ci/run does)";
  }

  /**
   * Starts danted.
   *
   * @param usernameAuth demand RFC 1929 user name and password authentication (system accounts)
   */
  public static DanteFixture start(boolean usernameAuth) throws IOException {
    Path danted = ServerProcess.executable("danted")
        .orElseThrow(() -> new IllegalStateException(unavailableReason()));
    Path dir = Files.createTempDirectory("rget-dante-");
    ServerProcess p = ServerProcess.start("danted", dir,
        port -> Files.writeString(dir.resolve("danted.conf"), config(dir, port, usernameAuth)),
        port -> List.of(danted.toString(), "-f", dir.resolve("danted.conf").toString(), "-N", "1",
            "-d", "1", "-p", dir.resolve("danted.pid").toString()),
        out -> out.contains("Address already in use"),
        Duration.ofSeconds(20));
    return new DanteFixture(p);
  }

  private static String config(Path dir, int port, boolean usernameAuth) {
    String user = ServerProcess.isRoot() ? "user.privileged: root\nuser.unprivileged: nobody\n"
        : "";
    return "logoutput: " + dir.resolve("danted.log") + "\n"
        + "internal: 127.0.0.1 port = " + port + "\n"
        + "external: 127.0.0.1\n"
        + "socksmethod: " + (usernameAuth ? "username" : "none") + "\n"
        + "clientmethod: none\n"
        + user
        + "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: error }\n"
        + "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: connect disconnect error }\n";
  }

  /** The proxy's port. */
  public int port() {
    return server.port();
  }

  /** The log's text so far. */
  public String log() {
    return server.read("danted.log");
  }

  /** Waits until the log holds {@code text} at least {@code n} times; returns the log. */
  public String awaitLog(String text, int n, Duration timeout) throws InterruptedException {
    return server.await("danted.log", t -> count(t, text) >= n, timeout);
  }

  /** How often {@code text} occurs in {@code log}. */
  public static int count(String log, String text) {
    int n = 0;
    for (int i = log.indexOf(text); i >= 0; i = log.indexOf(text, i + 1)) {
      n++;
    }
    return n;
  }

  /** Stops danted. */
  @Override
  public void close() {
    server.close();
  }

  /** A throw-away system account for Dante's user name authentication; root only. */
  public static final class SystemUser implements AutoCloseable {
    private final String name;
    private final String password;

    private SystemUser(String name, String password) {
      this.name = name;
      this.password = password;
    }

    /** Whether accounts can be made here (root, with useradd and chpasswd). */
    public static boolean possible() {
      return ServerProcess.isRoot() && ServerProcess.executable("useradd").isPresent()
          && ServerProcess.executable("chpasswd").isPresent();
    }

    /** Creates an account without home or login shell, with a random name and password. */
    public static SystemUser create() throws IOException {
      String suffix = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
      String name = "rgetsocks" + suffix;
      String password = "Pw-" + Long.toString(Double.doubleToLongBits(Math.random()), 36);
      run(List.of("useradd", "-M", "-N", "-s", "/usr/sbin/nologin", name), null);
      try {
        run(List.of("chpasswd"), name + ":" + password + "\n");
      } catch (IOException e) {
        run(List.of("userdel", name), null);
        throw e;
      }
      return new SystemUser(name, password);
    }

    /** The account's name. */
    public String name() {
      return name;
    }

    /** The account's password. */
    public String password() {
      return password;
    }

    /** Deletes the account. */
    @Override
    public void close() throws IOException {
      run(List.of("userdel", name), null);
    }

    private static void run(List<String> command, String input) throws IOException {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (input != null) {
        p.getOutputStream().write(input.getBytes());
      }
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes());
      try {
        if (p.waitFor() != 0) {
          throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }
}
