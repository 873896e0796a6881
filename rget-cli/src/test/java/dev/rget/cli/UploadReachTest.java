package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rget.core.DownloadException;
import dev.rget.core.FailureKind;
import dev.rget.core.upload.TusUpload;
import dev.rget.core.upload.UploadOptions;
import dev.rget.server.FileServer;
import dev.rget.server.ServerConfig;
import dev.rget.testkit.DanteFixture;
import dev.rget.testkit.NginxFixture;
import dev.rget.testkit.SquidFixture;
import dev.rget.testkit.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rget upload} reaches what {@code rget get} reaches: {@code rget serve --uploads} behind
 * a real nginx terminating TLS ({@code proxy_request_buffering off}, so bodies stream), behind
 * nginx {@code auth_basic}, through a real squid (plain http in absolute form, https by
 * {@code CONNECT}, both with the proxy's login) and a real Dante (socks5h). Uploads are
 * byte-exact, an https upload killed part-way resumes, certificates that cannot be trusted fail
 * at once (exit 3) and a missing or wrong login is exit 4; {@code -H} and {@code -U} reach the
 * server (nginx's log of those headers).
 */
@Timeout(300)
class UploadReachTest {
  private static final int MIB = 1 << 20;
  private static final Duration LOG_WAIT = Duration.ofSeconds(20);
  private static final String LOGIN_SECRET = "bob-upload-secret-4471";
  private static final String PROXY_SECRET = "proxy-upload-secret-8812";

  @TempDir static Path shared;
  @TempDir Path work;
  private static Path updir;
  private static FileServer serve;
  private static NginxFixture nginx;
  private static TestCertificates pki;
  private static Path headerLog;
  private static int tlsPort;
  private static int selfPort;
  private static int wrongHostPort;
  private static int basicPort;

  @BeforeAll
  static void startServers() throws Exception {
    Assumptions.assumeTrue(NginxFixture.available(), NginxFixture.unavailableReason());
    Assumptions.assumeTrue(TestCertificates.available(), "openssl not installed");
    updir = Files.createDirectories(shared.resolve("incoming"));
    serve = FileServer.start(ServerConfig.builder().root(Files.createDirectories(shared.resolve("www")))
        .bind("127.0.0.1").port(0).accessLogSink(line -> {}).uploads(updir).build());
    pki = TestCertificates.create(shared.resolve("pki"));
    TestCertificates.KeyPair good = pki.leaf("good", "localhost", "127.0.0.1");
    TestCertificates.KeyPair self = pki.selfSigned("self", "localhost", "127.0.0.1");
    TestCertificates.KeyPair wrong = pki.leaf("wrong", "other.example");
    Files.writeString(shared.resolve("htpasswd"), "bob:{PLAIN}" + LOGIN_SECRET + "\n");
    headerLog = shared.resolve("headers.log");
    tlsPort = freePort();
    selfPort = freePort();
    wrongHostPort = freePort();
    basicPort = freePort();
    // rget serve's Location is a path (/uploads/ID), so it holds behind any front.
    String toServe = "location /uploads/ { proxy_pass http://127.0.0.1:" + serve.port() + ";"
        + " proxy_request_buffering off; proxy_http_version 1.1; client_max_body_size 0;"
        + " proxy_set_header Host $http_host; access_log " + headerLog + " headers; }";
    nginx = NginxFixture.builder(Files.createDirectories(shared.resolve("front")))
        .extraHttpConfig("log_format headers '$server_port|$request_method|$status|"
            + "$http_x_upload_note|$http_user_agent|$remote_user';\n"
            + tls(tlsPort, good, toServe) + tls(selfPort, self, toServe)
            + tls(wrongHostPort, wrong, toServe)
            + "server { listen 127.0.0.1:" + basicPort + "; auth_basic rget;"
            + " auth_basic_user_file " + shared.resolve("htpasswd") + "; " + toServe + " }\n")
        .start();
  }

  private static String tls(int port, TestCertificates.KeyPair cert, String locations) {
    return "server { listen 127.0.0.1:" + port + " ssl; ssl_certificate " + cert.certificate()
        + "; ssl_certificate_key " + cert.key() + "; " + locations + " }\n";
  }

  @AfterAll
  static void stopServers() {
    if (nginx != null) {
      nginx.close();
    }
    if (serve != null) {
      serve.close();
    }
  }

  @Test
  void overHttpsThroughNginxByteExactWithTheHeadersAndUserAgentGiven() throws Exception {
    byte[] data = random(3 * MIB + 4321, 1);
    Path file = write("tls.bin", data);
    Run r = rget("upload", file.toString(), "https://127.0.0.1:" + tlsPort + "/uploads/",
        "--ca-certificate", pki.caCertificate().toString(), "--chunk-size", "1m",
        "-H", "X-Upload-Note: note-" + tlsPort, "-U", "upload-agent/7",
        "--state-dir", work.resolve("state").toString(), "-q");
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(Files.readAllBytes(updir.resolve("tls.bin"))).isEqualTo(data);
    // POST, then four PATCHes: each carried the header and the User-Agent.
    List<String> lines = awaitLines(l -> l.startsWith(tlsPort + "|") && l.contains("note-" + tlsPort), 5);
    assertThat(lines).filteredOn(l -> l.contains("|PATCH|204|note-" + tlsPort + "|upload-agent/7|"))
        .hasSize(4);
    assertThat(lines).filteredOn(l -> l.contains("|POST|201|note-" + tlsPort + "|upload-agent/7|"))
        .hasSize(1);
  }

  @Test
  void inPartsOverHttpsJoinedByTheServer() throws Exception {
    byte[] data = random(10 * MIB + 17, 10);
    Path file = write("parts-tls.bin", data);
    String note = "parts-" + System.nanoTime();
    Run r = rget("upload", file.toString(), "https://127.0.0.1:" + tlsPort + "/uploads/", "-n", "2",
        "--ca-certificate", pki.caCertificate().toString(), "-H", "X-Upload-Note: " + note,
        "--state-dir", work.resolve("state").toString());
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stderr()).doesNotContain("one stream");
    assertThat(Files.readAllBytes(updir.resolve("parts-tls.bin"))).isEqualTo(data);
    // OPTIONS, two partial POSTs, the final POST: each with the header.
    assertThat(awaitLines(l -> l.contains("|POST|201|" + note + "|"), 3))
        .filteredOn(l -> l.contains("|POST|201|" + note + "|")).hasSize(3);
  }

  @Test
  void overHttpsKilledPartWayThenRunAgainResumesByteExact() throws Exception {
    Path file = work.resolve("killed.bin");
    byte[] data = random(64 * MIB, 2);
    Files.write(file, data);
    String url = "https://127.0.0.1:" + tlsPort + "/uploads/";
    String note = "kill-" + System.nanoTime();
    List<String> args = List.of("upload", file.toString(), url, "--ca-certificate",
        pki.caCertificate().toString(), "--chunk-size", "1m", "-H", "X-Upload-Note: " + note,
        "--state-dir", work.resolve("state").toString());
    Process first = child(args, work.resolve("first.log"));
    awaitLines(l -> l.contains("|PATCH|204|" + note + "|"), 3);
    first.destroyForcibly();
    assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(updir.resolve("killed.bin")).as("killed before the end").doesNotExist();

    Process second = child(args, work.resolve("second.log"));
    assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String log = Files.readString(work.resolve("second.log"));
    assertThat(second.exitValue()).as(log).isZero();
    assertThat(log).contains("resumed at");
    assertThat(Files.readAllBytes(updir.resolve("killed.bin"))).isEqualTo(data);
    // One PATCH per MiB, and at most the one cut by the kill (and one refused after it) again.
    long patches = awaitLines(l -> l.contains("|PATCH|") && l.contains("|" + note + "|"), 64)
        .stream().filter(l -> l.contains("|PATCH|") && l.contains("|" + note + "|")).count();
    assertThat(patches).isBetween(64L, 67L);
  }

  @Test
  void aSelfSignedCertificateFailsAtOnceWithExit3AndOneLine() throws Exception {
    Path file = write("self.bin", random(1000, 3));
    Run r = rget("upload", file.toString(), "https://127.0.0.1:" + selfPort + "/uploads/",
        "--state-dir", work.resolve("state").toString());
    assertThat(r.code()).as(r.stderr()).isEqualTo(3);
    // Not retried: no retry notice, just the one line naming the cause.
    assertThat(r.stderr().lines().filter(l -> !l.isBlank()).toList()).as(r.stderr()).hasSize(1)
        .first().asString().contains("TLS handshake with 127.0.0.1:" + selfPort)
        .contains("not trusted");
  }

  @Test
  void aCertificateForAnotherHostFailsAtOnceWithExit3() throws Exception {
    Path file = write("wrong.bin", random(1000, 4));
    Run r = rget("upload", file.toString(), "https://127.0.0.1:" + wrongHostPort + "/uploads/",
        "--ca-certificate", pki.caCertificate().toString(),
        "--state-dir", work.resolve("state").toString());
    assertThat(r.code()).as(r.stderr()).isEqualTo(3);
    assertThat(r.stderr().lines().filter(l -> !l.isBlank()).toList()).as(r.stderr()).hasSize(1)
        .first().asString().contains("not for 127.0.0.1");
  }

  @Test
  void insecureUploadsToASelfSignedServerWithAWarning() throws Exception {
    byte[] data = random(2 * MIB + 5, 5);
    Path file = write("insecure.bin", data);
    Run r = rget("upload", file.toString(), "https://127.0.0.1:" + selfPort + "/uploads/", "-k",
        "--state-dir", work.resolve("state").toString(), "-q");
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stderr()).contains("warning: --insecure");
    assertThat(Files.readAllBytes(updir.resolve("insecure.bin"))).isEqualTo(data);
  }

  @Test
  void basicLoginBehindNginxSucceedsWithUserAndFailsWithExit4Without() throws Exception {
    byte[] data = random(2 * MIB + 77, 6);
    Path file = write("basic.bin", data);
    String url = "http://127.0.0.1:" + basicPort + "/uploads/";
    String state = work.resolve("state").toString();

    Run none = rget("upload", file.toString(), url, "--state-dir", state, "-q");
    assertThat(none.code()).as(none.stderr()).isEqualTo(4);
    assertThat(none.stderr()).contains("401").contains("wants a login");

    Run wrong = rget("upload", file.toString(), url, "-u", "bob:not-" + LOGIN_SECRET,
        "--state-dir", state, "-q");
    assertThat(wrong.code()).as(wrong.stderr()).isEqualTo(4);
    assertThat(wrong.stderr()).contains("refused the login of user bob").doesNotContain(LOGIN_SECRET);

    Run right = rget("upload", file.toString(), url, "-u", "bob:" + LOGIN_SECRET,
        "-H", "X-Upload-Note: basic-ok", "--state-dir", state, "-q");
    assertThat(right.code()).as(right.stderr()).isZero();
    assertThat(right.stderr()).doesNotContain(LOGIN_SECRET);
    assertThat(Files.readAllBytes(updir.resolve("basic.bin"))).isEqualTo(data);
    // The challenge came to the body-less POST; it was answered, and every PATCH went in as bob
    // at the first try: no body was sent to meet a 401.
    List<String> lines = awaitLines(l -> l.contains("|basic-ok|"), 5).stream()
        .filter(l -> l.contains("|basic-ok|")).toList();
    assertThat(lines).containsExactly(basicPort + "|POST|401|basic-ok|rget/0.1|-",
        basicPort + "|POST|201|basic-ok|rget/0.1|bob",
        basicPort + "|OPTIONS|204|basic-ok|rget/0.1|bob", // checksum discovery
        basicPort + "|PATCH|204|basic-ok|rget/0.1|bob",
        basicPort + "|PATCH|204|basic-ok|rget/0.1|bob", basicPort + "|PATCH|204|basic-ok|rget/0.1|bob");
    try (var left = Files.list(work.resolve("state"))) {
      assertThat(left).as("state forgotten once done").isEmpty();
    }
  }

  @Test
  void aNetrcLoginAnswersTheBasicChallenge() throws Exception {
    byte[] data = random(MIB + 1, 11);
    Path file = write("netrc.bin", data);
    Path netrc = work.resolve("netrc");
    Files.writeString(netrc, "machine 127.0.0.1 login bob password " + LOGIN_SECRET + "\n");
    Run r = rget("upload", file.toString(), "http://127.0.0.1:" + basicPort + "/uploads/",
        "--netrc-file", netrc.toString(), "--state-dir", work.resolve("state").toString(), "-q");
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(Files.readAllBytes(updir.resolve("netrc.bin"))).isEqualTo(data);
  }

  @Test
  void aLoginInTheUrlIsNeverInTheStateFileNorPrintedAndTheUploadResumes() throws Exception {
    byte[] data = random(3 * MIB, 9);
    Path file = write("url-login.bin", data);
    URI url = URI.create("http://bob:" + LOGIN_SECRET + "@127.0.0.1:" + basicPort + "/uploads/");
    Path state = work.resolve("state");
    TusUpload[] up = new TusUpload[1];
    up[0] = TusUpload.builder(file, url).reach(UploadOptions.builder().build()).chunkSize(MIB)
        .stateDir(state).listener((offset, length) -> up[0].cancel()).build();
    assertThatThrownBy(up[0]::run).isInstanceOf(DownloadException.class)
        .extracting(e -> ((DownloadException) e).kind()).isEqualTo(FailureKind.CANCELLED);
    try (Stream<Path> states = Files.list(state)) {
      List<Path> all = states.toList();
      assertThat(all).hasSize(1);
      Path only = all.get(0);
      assertThat(Files.readString(only)).doesNotContain(LOGIN_SECRET).doesNotContain("bob");
    }
    Run r = rget("upload", file.toString(), url.toString(), "--state-dir", state.toString());
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stderr()).contains("resumed at").doesNotContain(LOGIN_SECRET);
    assertThat(Files.readAllBytes(updir.resolve("url-login.bin"))).isEqualTo(data);
  }

  @Test
  void throughSquidPlainHttpInAbsoluteFormAndHttpsByConnectWithTheProxyLogin() throws Exception {
    Assumptions.assumeTrue(SquidFixture.available(), SquidFixture.unavailableReason());
    try (SquidFixture squid = SquidFixture.start("alice", PROXY_SECRET)) {
      byte[] data = random(2 * MIB + 99, 7);
      Path file = write("squid-http.bin", data);
      Run http = rget("upload", file.toString(), "http://127.0.0.1:" + serve.port() + "/uploads/",
          "-x", squid.url("alice:" + PROXY_SECRET), "--chunk-size", "1m",
          "--state-dir", work.resolve("state").toString(), "-q");
      assertThat(http.code()).as(http.stderr()).isZero();
      assertThat(Files.readAllBytes(updir.resolve("squid-http.bin"))).isEqualTo(data);
      String absolute = "PATCH http://127.0.0.1:" + serve.port() + "/uploads/";
      assertThat(squid.awaitLog(absolute, 3, LOG_WAIT)).filteredOn(l -> l.startsWith(absolute))
          .hasSize(3).allMatch(l -> l.endsWith(" 204 alice"), "PATCH answered 204, as alice");

      Path tlsFile = write("squid-https.bin", data);
      Run https = rget("upload", tlsFile.toString(), "https://127.0.0.1:" + tlsPort + "/uploads/",
          "-x", squid.url("alice:" + PROXY_SECRET), "--ca-certificate",
          pki.caCertificate().toString(), "--state-dir", work.resolve("state").toString(), "-q");
      assertThat(https.code()).as(https.stderr()).isZero();
      assertThat(Files.readAllBytes(updir.resolve("squid-https.bin"))).isEqualTo(data);
      assertThat(squid.awaitLog("CONNECT 127.0.0.1:" + tlsPort + " 200 alice", 1, LOG_WAIT))
          .anyMatch(l -> l.equals("CONNECT 127.0.0.1:" + tlsPort + " 200 alice"));

      // The http_proxy variable, read as get reads it, in a child process as a user runs it.
      Path envFile = write("squid-env.bin", data);
      Process viaEnv = child(List.of("upload", envFile.toString(), "http://127.0.0.1:" + serve.port()
          + "/uploads/", "--state-dir", work.resolve("state").toString(), "-q"),
          work.resolve("env.log"), Map.of("http_proxy", squid.url("alice:" + PROXY_SECRET)));
      assertThat(viaEnv.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(viaEnv.exitValue()).as(Files.readString(work.resolve("env.log"))).isZero();
      assertThat(Files.readAllBytes(updir.resolve("squid-env.bin"))).isEqualTo(data);
      String post = "POST http://127.0.0.1:" + serve.port() + "/uploads/ 201 alice";
      assertThat(squid.awaitLog(post, 2, LOG_WAIT)).filteredOn(post::equals).hasSize(2);

      Run refused = rget("upload", file.toString(), "http://127.0.0.1:" + serve.port() + "/uploads/",
          "-x", squid.url("alice:wrong"), "--state-dir", work.resolve("state2").toString(), "-q");
      assertThat(refused.code()).as(refused.stderr()).isEqualTo(4);
      assertThat(refused.stderr()).contains("407").doesNotContain("wrong");
    }
  }

  @Test
  void throughDanteSocks5hTheProxyResolvesTheName() throws Exception {
    Assumptions.assumeTrue(DanteFixture.available(), DanteFixture.unavailableReason());
    try (DanteFixture dante = DanteFixture.start(false)) {
      byte[] data = random(MIB + 3, 8);
      Path file = write("socks.bin", data);
      Run r = rget("upload", file.toString(), "http://localhost:" + serve.port() + "/uploads/",
          "-x", "socks5h://127.0.0.1:" + dante.port(), "--state-dir", work.resolve("state").toString(),
          "-q");
      assertThat(r.code()).as(r.stderr()).isZero();
      assertThat(Files.readAllBytes(updir.resolve("socks.bin"))).isEqualTo(data);
      String asked = "ATYP: 3 address: localhost." + serve.port();
      assertThat(dante.awaitLog(asked, 1, LOG_WAIT)).contains(asked);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static List<String> awaitLines(Predicate<String> match, int n) throws Exception {
    long deadline = System.nanoTime() + LOG_WAIT.toNanos();
    while (true) {
      List<String> lines = Files.exists(headerLog) ? Files.readAllLines(headerLog) : List.of();
      if (lines.stream().filter(match).count() >= n || System.nanoTime() > deadline) {
        return lines;
      }
      Thread.sleep(5);
    }
  }

  private Path write(String name, byte[] data) throws IOException {
    Path p = work.resolve(name);
    Files.write(p, data);
    return p;
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  record Run(int code, String stderr) {}

  static Run rget(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args);
      System.err.flush();
      return new Run(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  /** {@code rget ARGS} as a user runs it: a child JVM, output to {@code log}. */
  private static Process child(List<String> args, Path log) throws IOException {
    return child(args, log, Map.of());
  }

  private static Process child(List<String> args, Path log, Map<String, String> env)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-Xmx96m", "-Xmn16m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    return pb.start();
  }
}
