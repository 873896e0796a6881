package dev.rget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.server.FileServer;
import dev.rget.server.ServerConfig;
import dev.rget.testkit.LighttpdFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Logins of {@code rget upload}: Digest (MD5 and SHA-256) answered for a real lighttpd in front
 * of {@code rget serve}, its PATCH bodies streamed through; and secrets (the token, the login, an
 * {@code Authorization} or {@code Cookie} header) never sent to an upload URL on another origin
 * than the one given, unless {@code --location-trusted}.
 */
@Timeout(120)
class UploadLoginTest {
  private static final String SECRET = "carol-digest-secret-3390";

  @TempDir Path root;
  @TempDir Path updir;
  @TempDir Path work;

  @ParameterizedTest
  @ValueSource(strings = {"MD5", "SHA-256"})
  void digestLoginThroughLighttpdSucceedsWithUserAndIsExit4Without(String algorithm) throws Exception {
    Assumptions.assumeTrue(LighttpdFixture.available(), LighttpdFixture.unavailableReason());
    try (FileServer serve = FileServer.start(ServerConfig.builder().root(root).bind("127.0.0.1")
            .port(0).accessLogSink(line -> {}).uploads(updir).build());
        LighttpdFixture lighttpd = LighttpdFixture.startDigestProxy("carol", SECRET, algorithm,
            serve.port())) {
      byte[] data = random(3 * (1 << 20) + 11, 1);
      Path file = work.resolve("digest.bin");
      Files.write(file, data);
      String url = lighttpd.url("/uploads/");
      String state = work.resolve("state").toString();

      UploadReachTest.Run none = UploadReachTest.rget("upload", file.toString(), url,
          "--state-dir", state, "-q");
      assertThat(none.code()).as(none.stderr()).isEqualTo(4);
      assertThat(none.stderr()).contains("401").contains("wants a login");

      UploadReachTest.Run right = UploadReachTest.rget("upload", file.toString(), url,
          "-u", "carol:" + SECRET, "--chunk-size", "1m", "--state-dir", state, "-q");
      assertThat(right.code()).as(right.stderr()).isZero();
      assertThat(Files.readAllBytes(updir.resolve("digest.bin"))).isEqualTo(data);
      // Four PATCHes (a 1 MiB chunk each) went in as carol, each at its first try.
      List<String> log = lighttpd.awaitLog("|204|carol|", 4, Duration.ofSeconds(20));
      assertThat(log).filteredOn(l -> l.startsWith("PATCH ")).hasSize(4)
          .allMatch(l -> l.contains("|204|carol|"), "answered 204 for carol");

      UploadReachTest.Run wrong = UploadReachTest.rget("upload", file.toString(), url,
          "-u", "carol:not-" + SECRET, "--state-dir", work.resolve("state2").toString(), "-q");
      assertThat(wrong.code()).as(wrong.stderr()).isEqualTo(4);
      assertThat(wrong.stderr()).contains("refused the login of user carol")
          .doesNotContain(SECRET);
    }
  }

  @Test
  void theTokenAndSecretHeadersStayWithTheOriginGiven() throws Exception {
    try (ScriptedTusServer other = new ScriptedTusServer(UploadLoginTest::acceptPatch);
        ScriptedTusServer given = new ScriptedTusServer(head -> created(other))) {
      Path file = work.resolve("t.bin");
      Files.write(file, random(1000, 2));
      UploadReachTest.Run r = UploadReachTest.rget("upload", file.toString(), given.endpoint(),
          "--upload-token", "tok-5521", "-H", "Cookie: c=cookie-7781", "-H", "X-Plain: yes",
          "--state-dir", work.resolve("state").toString(), "-q");
      assertThat(r.code()).as(r.stderr()).isZero();
      // The creating POST, then the checksum discovery (OPTIONS) at the same endpoint.
      assertThat(given.heads).allMatch(h -> h.startsWith("POST /uploads/ ")
          || h.startsWith("OPTIONS /uploads/ "));
      assertThat(given.heads).filteredOn(h -> h.startsWith("POST ")).singleElement().asString()
          .contains("Authorization: Bearer tok-5521").contains("Cookie: c=cookie-7781")
          .contains("X-Plain: yes");
      assertThat(other.heads).singleElement().asString().startsWith("PATCH /uploads/elsewhere ")
          .contains("X-Plain: yes").doesNotContain("tok-5521").doesNotContain("cookie-7781")
          .doesNotContainIgnoringCase("Authorization");
    }
  }

  @Test
  void theLoginStaysWithTheOriginGivenUnlessLocationTrusted() throws Exception {
    try (ScriptedTusServer other = new ScriptedTusServer(UploadLoginTest::acceptPatch);
        ScriptedTusServer given = new ScriptedTusServer(head -> loginFirst(head, created(other)))) {
      Path file = work.resolve("l.bin");
      Files.write(file, random(1000, 3));
      UploadReachTest.Run r = UploadReachTest.rget("upload", file.toString(), given.endpoint(),
          "-u", "dave:pw-6610", "--state-dir", work.resolve("state").toString(), "-q");
      assertThat(r.code()).as(r.stderr()).isZero();
      List<String> posts = given.heads.stream().filter(h -> h.startsWith("POST ")).toList();
      assertThat(posts).hasSize(2);
      assertThat(posts.get(1)).contains("Authorization: Basic ");
      assertThat(other.heads).singleElement().asString().startsWith("PATCH ")
          .doesNotContainIgnoringCase("Authorization");
    }
  }

  @Test
  void trustedTheOtherOriginGetsTheLoginLearntByABodylessHeadBeforeTheBody() throws Exception {
    try (ScriptedTusServer other = new ScriptedTusServer(head -> loginFirst(head, acceptPatch(head)));
        ScriptedTusServer given = new ScriptedTusServer(head -> loginFirst(head, created(other)))) {
      Path file = work.resolve("t.bin");
      Files.write(file, random(1000, 4));
      UploadReachTest.Run r = UploadReachTest.rget("upload", file.toString(), given.endpoint(),
          "-u", "dave:pw-6610", "--location-trusted", "--state-dir",
          work.resolve("state").toString(), "-q");
      assertThat(r.code()).as(r.stderr()).isZero();
      // A HEAD met the challenge; the body went once, with the login.
      assertThat(other.heads).hasSize(3);
      assertThat(other.heads.get(0)).startsWith("HEAD ").doesNotContain("Authorization");
      assertThat(other.heads.get(1)).startsWith("HEAD ").contains("Authorization: Basic ");
      assertThat(other.heads.get(2)).startsWith("PATCH ").contains("Authorization: Basic ");
    }
  }

  /** A 401 asking for Basic unless {@code head} carries a login; else {@code answer}. */
  private static String loginFirst(String head, String answer) {
    return head.contains("Authorization: Basic ") ? answer
        : "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"up\"\r\n"
            + "Content-Length: 0\r\nConnection: close\r\n\r\n";
  }

  /** A 201 naming an upload URL on {@code other}'s origin. */
  private static String created(ScriptedTusServer other) {
    return "HTTP/1.1 201 Created\r\nTus-Resumable: 1.0.0\r\nLocation: "
        + other.endpoint() + "elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  }

  /** A 204 taking the whole body of a PATCH. */
  private static String acceptPatch(String head) {
    long offset = number(head, "Upload-Offset");
    long length = number(head, "Content-Length");
    return "HTTP/1.1 204 No Content\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: " + (offset + length)
        + "\r\nConnection: close\r\n\r\n";
  }

  private static long number(String head, String name) {
    Matcher m = Pattern.compile("(?im)^" + name + ": *(\\d+)").matcher(head);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
