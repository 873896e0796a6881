package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.state.StateStore;
import dev.rget.testkit.Content;
import dev.rget.testkit.NginxFixture;
import dev.rget.testkit.SquidFixture;
import dev.rget.testkit.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rget get} as a user runs it (a child process) through a real squid with Basic proxy
 * authentication, to nginx with {@code auth_basic}: secrets never left in any file after a kill
 * nor printed, the proxy environment variables as curl reads them, several URLs on one command
 * line, a 407 in one line, and {@code -k}.
 */
@Timeout(180)
class ReachCliTest {
  private static final int MIB = 1 << 20;
  private static final Duration LOG_WAIT = Duration.ofSeconds(20);
  private static final String LOGIN_SECRET = "bob-secret-7731";
  private static final String PROXY_SECRET = "proxy-secret-5520";
  private static final String COOKIE_SECRET = "cookie-secret-9043";

  @TempDir static Path shared;
  @TempDir Path dir;
  private static Content content;
  private static NginxFixture nginx;
  private static SquidFixture squid;
  private static int tlsPort;

  @BeforeAll
  static void startServers() throws Exception {
    Assumptions.assumeTrue(NginxFixture.available(), NginxFixture.unavailableReason());
    Assumptions.assumeTrue(SquidFixture.available(), SquidFixture.unavailableReason());
    Assumptions.assumeTrue(TestCertificates.available(), "openssl not installed");
    Path www = Files.createDirectories(shared.resolve("www"));
    content = Content.pseudoRandom(4 * MIB + 9, 31);
    Files.createDirectories(www.resolve("basic"));
    content.writeTo(www.resolve("basic/f.bin"));
    content.writeTo(www.resolve("a.bin"));
    content.writeTo(www.resolve("b.bin"));
    Files.writeString(shared.resolve("htpasswd"), "bob:{PLAIN}" + LOGIN_SECRET + "\n");
    TestCertificates.KeyPair self = TestCertificates.create(shared.resolve("pki"))
        .selfSigned("self", "localhost", "127.0.0.1");
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      tlsPort = s.getLocalPort();
    }
    nginx = NginxFixture.builder(www)
        .extraServerConfig("location /basic/ { auth_basic rget; auth_basic_user_file "
            + shared.resolve("htpasswd") + "; limit_rate 256k; }\n")
        .extraHttpConfig("server { listen 127.0.0.1:" + tlsPort + " ssl; root " + www + ";"
            + " ssl_certificate " + self.certificate() + "; ssl_certificate_key " + self.key()
            + "; }\n")
        .start();
    squid = SquidFixture.start("alice", PROXY_SECRET);
  }

  @AfterAll
  static void stopServers() {
    if (nginx != null) {
      nginx.close();
    }
    if (squid != null) {
      squid.close();
    }
  }

  private record Run(int code, String output) {}

  @Test
  void noSecretIsLeftInAnyFileAfterAKillNorPrintedAndTheSameCommandResumes() throws Exception {
    String url = "http://bob:" + LOGIN_SECRET + "@127.0.0.1:" + nginx.port() + "/basic/f.bin";
    String[] args = {"get", url, "-o", dir.resolve("out.bin").toString(), "-n", "2",
        "--proxy", squid.url("alice:" + PROXY_SECRET), "-H", "Cookie: s=" + COOKIE_SECRET,
        "--save-cookies", dir.resolve("jar.txt").toString()};
    Process first = start(Map.of(), args);
    awaitRecorded(first, new StateStore(dir.resolve("out.bin.rget")), MIB / 2);
    first.destroyForcibly();
    assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertNoSecretIn(dir);

    Run second = await(start(Map.of(), args));

    assertThat(second.code()).as(second.output()).isZero();
    assertThat(sha256(dir.resolve("out.bin"))).isEqualTo(content.sha256());
    assertThat(second.output()).contains("resuming");
    assertNoSecretIn(dir);
    // Through the proxy, logged in there as alice, both runs.
    List<String> log = squid.awaitLog("/basic/f.bin 206 alice", 2, LOG_WAIT);
    assertThat(log.stream().filter(l -> l.contains("/basic/f.bin 206 alice")))
        .hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void proxyEnvironmentVariablesAreReadAsCurlReadsThem() throws Exception {
    String line = "GET http://127.0.0.1:" + nginx.port() + "/a.bin 206 alice";
    long before = count(squid.accessLog(), line);
    String proxy = squid.url("alice:" + PROXY_SECRET);

    Run viaEnv = await(start(Map.of("http_proxy", proxy), "get",
        "http://127.0.0.1:" + nginx.port() + "/a.bin", "-d", dir.toString(), "-q"));
    assertThat(viaEnv.code()).as(viaEnv.output()).isZero();
    assertThat(count(squid.awaitLog(line, (int) before + 1, LOG_WAIT), line)).isGreaterThan(before);

    // HTTP_PROXY in upper case is ignored (a CGI program gets it from a request header), and
    // --noproxy sends the host directly: no new line in squid's log, the file still arrives.
    long now = count(squid.accessLog(), line);
    int nginxBefore = nginx.accessLog().size();
    Run upper = await(start(Map.of("HTTP_PROXY", proxy), "get",
        "http://127.0.0.1:" + nginx.port() + "/a.bin", "-o", dir.resolve("u.bin").toString()));
    Run bypass = await(start(Map.of("http_proxy", proxy), "get",
        "http://127.0.0.1:" + nginx.port() + "/a.bin", "-o", dir.resolve("n.bin").toString(),
        "--noproxy", "localhost,127.0.0.1"));
    assertThat(upper.code()).as(upper.output()).isZero();
    assertThat(bypass.code()).as(bypass.output()).isZero();
    assertThat(nginx.awaitAccessLog(nginxBefore + 2, LOG_WAIT)).hasSizeGreaterThan(nginxBefore + 1);
    assertThat(count(squid.accessLog(), line)).isEqualTo(now);
  }

  @Test
  void a407IsOneLineNamingTheProxyWithExitCode4() throws Exception {
    Run r = await(start(Map.of(), "get", "http://127.0.0.1:" + nginx.port() + "/a.bin",
        "-o", dir.resolve("x.bin").toString(), "--proxy", squid.url("alice:wrong-pw")));

    assertThat(r.code()).as(r.output()).isEqualTo(4);
    String line = oneLine(r);
    assertThat(line).contains("http proxy 127.0.0.1:" + squid.port())
        .contains("refused the credentials of user alice").doesNotContain("wrong-pw");
  }

  @Test
  void severalUrlsAreEachSavedToAFileOfTheirOwn() throws Exception {
    Run r = await(start(Map.of(), "get", "http://127.0.0.1:" + nginx.port() + "/a.bin",
        "http://127.0.0.1:" + nginx.port() + "/b.bin", "-d", dir.toString()));

    assertThat(r.code()).as(r.output()).isZero();
    assertThat(sha256(dir.resolve("a.bin"))).isEqualTo(content.sha256());
    assertThat(sha256(dir.resolve("b.bin"))).isEqualTo(content.sha256());
    assertThat(r.output()).contains("2 of 2 files downloaded");
  }

  @Test
  void insecureAcceptsASelfSignedServerAndWarnsEvenWhenQuiet() throws Exception {
    String url = "https://localhost:" + tlsPort + "/a.bin";
    Run refused = await(start(Map.of(), "get", url, "-o", dir.resolve("r.bin").toString()));
    assertThat(refused.code()).as(refused.output()).isEqualTo(3);

    Run r = await(start(Map.of(), "get", url, "-o", dir.resolve("k.bin").toString(), "-k",
        "-q"));

    assertThat(r.code()).as(r.output()).isZero();
    assertThat(sha256(dir.resolve("k.bin"))).isEqualTo(content.sha256());
    assertThat(r.output().lines().filter(l -> l.contains("warning: --insecure"))).hasSize(1);
  }

  @Test
  void helpListsTheNewOptions() throws Exception {
    Run r = await(start(Map.of(), "get", "--help"));
    assertThat(r.output()).contains("--proxy", "--noproxy", "--user", "--netrc", "--netrc-file",
        "--header", "--user-agent", "--referer", "--load-cookies", "--save-cookies",
        "--insecure", "--timestamping", "--no-remote-time", "--location-trusted");
  }

  /** No file under {@code root} holds a secret, in clear or as Basic's base64. */
  private static void assertNoSecretIn(Path root) throws IOException {
    List<String> secrets = new ArrayList<>();
    for (String s : List.of(LOGIN_SECRET, PROXY_SECRET, COOKIE_SECRET)) {
      secrets.add(s);
    }
    secrets.add(Base64.getEncoder().encodeToString(("bob:" + LOGIN_SECRET).getBytes()));
    secrets.add(Base64.getEncoder().encodeToString(("alice:" + PROXY_SECRET).getBytes()));
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        for (String s : secrets) {
          assertThat(text).as("secret in " + f).doesNotContain(s);
        }
      }
    }
  }

  private static long count(List<String> lines, String text) {
    return lines.stream().filter(l -> l.contains(text)).count();
  }

  private int runs;

  private Process start(Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    if (!List.of(args).contains("--help")) {
      cmd.addAll(List.of("--stall-timeout", "10s", "--connect-timeout", "5s", "--retries", "1"));
    }
    // The log lives beside the download: it is one of the files searched for secrets.
    Path log = dir.resolve("rget-" + runs++ + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    for (String v : List.of("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
        "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY")) {
      pb.environment().remove(v);
    }
    pb.environment().putAll(env);
    Process p = pb.start();
    logs.put(p, log);
    return p;
  }

  private final Map<Process, Path> logs = new java.util.HashMap<>();

  private Run await(Process p) throws Exception {
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("rget finished").isTrue();
    return new Run(p.exitValue(), Files.readString(logs.get(p), StandardCharsets.UTF_8));
  }

  private static String oneLine(Run r) {
    List<String> lines = r.output().lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as(r.output()).hasSize(1);
    assertThat(lines.get(0)).startsWith("rget: ").doesNotContain("Exception");
    return lines.get(0);
  }

  private static void awaitRecorded(Process p, StateStore state, long bytes) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      assertThat(p.isAlive()).as("download still running").isTrue();
      try {
        if (state.exists() && state.load().written().size() >= bytes) {
          return;
        }
      } catch (IOException e) {
        // No state file yet, or caught between writes: look again.
      }
      Thread.sleep(5);
    }
    throw new AssertionError("state file never recorded " + bytes + " bytes");
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(Files.readAllBytes(file));
    return HexFormat.of().formatHex(md.digest());
  }
}
