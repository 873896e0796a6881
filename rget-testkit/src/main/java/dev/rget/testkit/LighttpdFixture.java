package dev.rget.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A real lighttpd serving a directory on a free loopback port with HTTP Digest authentication
 * (RFC 7616): {@code /md5/...} demands Digest with MD5, {@code /sha256/...} Digest with SHA-256,
 * both for one user in realm {@value #REALM}; everything else is open. Config, password files
 * and logs live in a temporary directory.
 *
 * <p>The access log has one line per request: {@code REQUEST-LINE|STATUS|USER|RANGE}, where
 * USER is the authenticated user or {@code -}. lighttpd writes it in batches: use
 * {@link #awaitLog}.
 */
public final class LighttpdFixture implements AutoCloseable {
  /** The realm of both protected locations. */
  public static final String REALM = "rget-digest";

  private final ServerProcess server;

  private LighttpdFixture(ServerProcess server) {
    this.server = server;
  }

  /** Whether lighttpd is installed. */
  public static boolean available() {
    return ServerProcess.executable("lighttpd").isPresent();
  }

  /** A message for skipped tests. */
  public static String unavailableReason() {
    return available() ? "lighttpd is available"
        : "lighttpd not found (apt-get install lighttpd; .ci/run does)";
  }

  /** Starts lighttpd serving {@code root}, with Digest logins for {@code user}. */
  public static LighttpdFixture start(Path root, String user, String password)
      throws IOException {
    Path lighttpd = ServerProcess.executable("lighttpd")
        .orElseThrow(() -> new IllegalStateException(unavailableReason()));
    Path dir = Files.createTempDirectory("rget-lighttpd-");
    String pair = user + ":" + REALM + ":" + password;
    Files.writeString(dir.resolve("digest-md5"), user + ":" + REALM + ":" + hex("MD5", pair) + "\n");
    Files.writeString(dir.resolve("digest-sha256"),
        user + ":" + REALM + ":" + hex("SHA-256", pair) + "\n");
    Path absRoot = root.toAbsolutePath().normalize();
    ServerProcess p = ServerProcess.start("lighttpd", dir,
        port -> Files.writeString(dir.resolve("lighttpd.conf"), config(dir, absRoot, port)),
        port -> List.of(lighttpd.toString(), "-D", "-f", dir.resolve("lighttpd.conf").toString()),
        out -> out.contains("Address already in use"),
        Duration.ofSeconds(20));
    return new LighttpdFixture(p);
  }

  /**
   * Starts lighttpd as a reverse proxy in front of an upload server on loopback port
   * {@code backendPort}: every request under {@code /uploads/} must log in with Digest
   * ({@code algorithm} {@code MD5} or {@code SHA-256}) as {@code user}, and is then passed on with
   * its body streamed, not buffered ({@code server.stream-request-body = 2}).
   */
  public static LighttpdFixture startDigestProxy(String user, String password, String algorithm,
      int backendPort) throws IOException {
    Path lighttpd = ServerProcess.executable("lighttpd")
        .orElseThrow(() -> new IllegalStateException(unavailableReason()));
    Path dir = Files.createTempDirectory("rget-lighttpd-");
    String pair = user + ":" + REALM + ":" + password;
    String java = algorithm.equals("MD5") ? "MD5" : "SHA-256";
    Files.writeString(dir.resolve("digest"), user + ":" + REALM + ":" + hex(java, pair) + "\n");
    Path root = Files.createDirectories(dir.resolve("www"));
    ServerProcess p = ServerProcess.start("lighttpd", dir,
        port -> Files.writeString(dir.resolve("lighttpd.conf"), "server.document-root = \""
            + root + "\"\n"
            + "server.bind = \"127.0.0.1\"\n"
            + "server.port = " + port + "\n"
            + "server.errorlog = \"" + dir.resolve("error.log") + "\"\n"
            + "server.pid-file = \"" + dir.resolve("lighttpd.pid") + "\"\n"
            + "server.stream-request-body = 2\n"
            + "server.stream-response-body = 2\n"
            + "server.modules = (\"mod_auth\", \"mod_authn_file\", \"mod_proxy\","
            + " \"mod_accesslog\")\n"
            + "accesslog.filename = \"" + dir.resolve("access.log") + "\"\n"
            + "accesslog.format = \"%r|%>s|%u|%{Range}i\"\n"
            + "auth.backend = \"htdigest\"\n"
            + "auth.backend.htdigest.userfile = \"" + dir.resolve("digest") + "\"\n"
            + "auth.require = (\"/uploads/\" => (\"method\" => \"digest\", \"realm\" => \""
            + REALM + "\", \"require\" => \"valid-user\", \"algorithm\" => \"" + algorithm
            + "\"))\n"
            + "proxy.server = (\"/uploads/\" => ((\"host\" => \"127.0.0.1\", \"port\" => "
            + backendPort + ")))\n"),
        port -> List.of(lighttpd.toString(), "-D", "-f", dir.resolve("lighttpd.conf").toString()),
        out -> out.contains("Address already in use"),
        Duration.ofSeconds(20));
    return new LighttpdFixture(p);
  }

  private static String config(Path dir, Path root, int port) {
    return "server.document-root = \"" + root + "\"\n"
        + "server.bind = \"127.0.0.1\"\n"
        + "server.port = " + port + "\n"
        + "server.errorlog = \"" + dir.resolve("error.log") + "\"\n"
        + "server.pid-file = \"" + dir.resolve("lighttpd.pid") + "\"\n"
        + "server.modules = (\"mod_auth\", \"mod_authn_file\", \"mod_accesslog\")\n"
        + "accesslog.filename = \"" + dir.resolve("access.log") + "\"\n"
        + "accesslog.format = \"%r|%>s|%u|%{Range}i\"\n"
        + "auth.backend = \"htdigest\"\n"
        + "$HTTP[\"url\"] =~ \"^/md5/\" {\n"
        + "  auth.backend.htdigest.userfile = \"" + dir.resolve("digest-md5") + "\"\n"
        + "  auth.require = (\"/md5/\" => (\"method\" => \"digest\", \"realm\" => \"" + REALM
        + "\", \"require\" => \"valid-user\", \"algorithm\" => \"MD5\"))\n"
        + "}\n"
        + "$HTTP[\"url\"] =~ \"^/sha256/\" {\n"
        + "  auth.backend.htdigest.userfile = \"" + dir.resolve("digest-sha256") + "\"\n"
        + "  auth.require = (\"/sha256/\" => (\"method\" => \"digest\", \"realm\" => \"" + REALM
        + "\", \"require\" => \"valid-user\", \"algorithm\" => \"SHA-256\"))\n"
        + "}\n";
  }

  private static String hex(String algorithm, String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm)
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server's port. */
  public int port() {
    return server.port();
  }

  /** {@code http://127.0.0.1:port} followed by {@code path}. */
  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** Waits until at least {@code n} access log lines contain {@code text}; returns all lines. */
  public List<String> awaitLog(String text, int n, Duration timeout) throws InterruptedException {
    String t = server.await("access.log",
        s -> s.lines().filter(l -> l.contains(text)).count() >= n, timeout);
    return new ArrayList<>(t.lines().toList());
  }

  /** Stops lighttpd. */
  @Override
  public void close() {
    server.close();
  }
}
