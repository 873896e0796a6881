package dev.rget.core.engine;

import static dev.rget.core.engine.HostileDownloads.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.DownloadException;
import dev.rget.core.DownloadOptions;
import dev.rget.core.DownloadResult;
import dev.rget.core.FailureKind;
import dev.rget.core.auth.Credentials;
import dev.rget.core.auth.Netrc;
import dev.rget.core.cookie.CookieJar;
import dev.rget.testkit.Content;
import dev.rget.testkit.LighttpdFixture;
import dev.rget.testkit.NginxFixture;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logins, headers, cookies and timestamps against real servers: nginx with {@code auth_basic}
 * and locations that demand a header, a user agent, a referer or a cookie (and redirects that
 * set one, or lead to another host), and lighttpd with Digest MD5 and SHA-256. nginx logs every
 * request's host, user, Authorization and Cookie, so the tests see what each server received.
 */
class AuthAndIdentityTest {
  private static final long MIB = 1 << 20;
  private static final Duration LOG_WAIT = Duration.ofSeconds(20);
  private static final Instant MODIFIED = Instant.parse("2024-03-01T10:20:30Z");
  @TempDir static Path shared;
  @TempDir Path dir;
  private final HostileDownloads h = new HostileDownloads();

  private static Content content;
  private static Path www;
  private static NginxFixture nginx;
  private static LighttpdFixture lighttpd;
  private static Path who;

  @BeforeAll
  static void startServers() throws Exception {
    Assumptions.assumeTrue(NginxFixture.available(), NginxFixture.unavailableReason());
    Assumptions.assumeTrue(LighttpdFixture.available(), LighttpdFixture.unavailableReason());
    www = Files.createDirectories(shared.resolve("www"));
    content = Content.pseudoRandom(3 * MIB + 55, 23);
    for (String d : List.of("basic", "token", "agent", "ref", "members", "open", "md5", "sha256",
        "stamp")) {
      Files.createDirectories(www.resolve(d));
      content.writeTo(www.resolve(d).resolve("f.bin"));
    }
    Files.setLastModifiedTime(www.resolve("open/f.bin"), FileTime.from(MODIFIED));
    Files.writeString(shared.resolve("htpasswd"), "bob:{PLAIN}bob-secret\n");
    who = shared.resolve("who.log");
    nginx = NginxFixture.builder(www)
        .extraHttpConfig("log_format who '$host|$uri|$status|$remote_user|$http_authorization|"
            + "$http_cookie|$http_x_token';\n")
        .extraServerConfig("access_log " + who + " who;\n"
            + "location /basic/ { auth_basic rget; auth_basic_user_file "
            + shared.resolve("htpasswd") + "; }\n"
            + "location /token/ { if ($http_x_token != \"s3cret\") { return 403; } }\n"
            + "location /agent/ { if ($http_user_agent != \"FancyAgent/2.0\") { return 403; } }\n"
            + "location /ref/ { if ($http_referer != \"https://example.org/page\") {"
            + " return 403; } }\n"
            + "location /members/ { if ($cookie_session != \"abc123\") { return 403; } }\n"
            + "location = /login { add_header Set-Cookie \"session=abc123; Path=/members\";"
            + " return 302 /members/f.bin; }\n"
            // Another host name for the same server: a different origin.
            + "location = /away { return 302 http://localhost:$server_port/open/f.bin; }\n")
        .start();
    lighttpd = LighttpdFixture.start(www, "dave", "digest-secret");
  }

  @AfterAll
  static void stopServers() {
    if (nginx != null) {
      nginx.close();
    }
    if (lighttpd != null) {
      lighttpd.close();
    }
  }

  private static URI url(String path) {
    return URI.create("http://127.0.0.1:" + nginx.port() + path);
  }

  private static List<String> whoLog() throws Exception {
    return Files.exists(who) ? Files.readAllLines(who) : List.of();
  }

  private static List<String> awaitWho(String text, int n) throws Exception {
    long deadline = System.nanoTime() + LOG_WAIT.toNanos();
    while (true) {
      List<String> lines = whoLog();
      if (lines.stream().filter(l -> l.contains(text)).count() >= n
          || System.nanoTime() > deadline) {
        return lines;
      }
      Thread.sleep(20);
    }
  }

  @Test
  void credentialsInTheUrlAreSentAsBasicAtOnce() throws Exception {
    int before = whoLog().size();
    Path out = dir.resolve("f.bin");

    HostileDownloads.complete(URI.create("http://bob:bob-secret@127.0.0.1:" + nginx.port()
        + "/basic/f.bin"), out, h.options().build());

    assertThat(sha256(out)).isEqualTo(content.sha256());
    List<String> mine = awaitWho("|/basic/f.bin|206|bob|Basic ", 1).subList(before,
        whoLog().size());
    assertThat(mine).isNotEmpty().allMatch(l -> l.contains("|206|bob|Basic "));
  }

  @Test
  void userAnswersTheBasicChallengeAndAWrongPasswordFailsInOneLine() throws Exception {
    int before = whoLog().size();
    HostileDownloads.complete(url("/basic/f.bin"), dir.resolve("f.bin"),
        h.options().credentials(new Credentials("bob", "bob-secret")).build());
    List<String> mine = awaitWho("|206|bob|", 1);
    assertThat(mine.subList(before, mine.size())).anyMatch(l -> l.contains("|/basic/f.bin|401|"))
        .anyMatch(l -> l.contains("|/basic/f.bin|206|bob|Basic "));

    DownloadException e = HostileDownloads.failure(url("/basic/f.bin"), dir.resolve("w.bin"),
        h.options().credentials(new Credentials("bob", "wrong-one")).build());
    assertThat(e.kind()).isEqualTo(FailureKind.HTTP_STATUS);
    assertThat(e.getMessage()).contains("401").contains("refused the login of user bob")
        .doesNotContain("wrong-one");

    DownloadException none = HostileDownloads.failure(url("/basic/f.bin"),
        dir.resolve("n.bin"), h.options().build());
    assertThat(none.getMessage()).contains("401").contains("wants a login");
  }

  @Test
  void netrcGivesTheLoginForItsMachine() throws Exception {
    Netrc netrc = Netrc.parse("machine example.org login x password y\n"
        + "machine 127.0.0.1\n  login bob\n  password \"bob-secret\"\n");
    int before = whoLog().size();

    HostileDownloads.complete(url("/basic/f.bin"), dir.resolve("f.bin"),
        h.options().netrc(netrc).build());

    assertThat(sha256(dir.resolve("f.bin"))).isEqualTo(content.sha256());
    List<String> log = awaitWho("|206|bob|", 1);
    assertThat(log.subList(before, log.size())).anyMatch(l -> l.contains("|206|bob|Basic "));
  }

  @Test
  void digestMd5AndSha256OnEightConnections() throws Exception {
    for (String alg : List.of("md5", "sha256")) {
      Path out = dir.resolve(alg + ".bin");
      HostileDownloads.complete(URI.create(lighttpd.url("/" + alg + "/f.bin")), out,
          h.options().connections(8).credentials(new Credentials("dave", "digest-secret"))
              .build());
      assertThat(sha256(out)).isEqualTo(content.sha256());
      // Every ranged request of the download logged in as dave: the Digest answers were
      // accepted on all its connections.
      List<String> log = lighttpd.awaitLog("GET /" + alg + "/f.bin HTTP/1.1|206|dave|", 4,
          LOG_WAIT);
      assertThat(log.stream().filter(l -> l.startsWith("GET /" + alg + "/f.bin HTTP/1.1|206|dave|")))
          .hasSizeGreaterThanOrEqualTo(4);
    }
    DownloadException e = HostileDownloads.failure(URI.create(lighttpd.url("/sha256/f.bin")),
        dir.resolve("w.bin"), h.options().credentials(new Credentials("dave", "nope")).build());
    assertThat(e.kind()).isEqualTo(FailureKind.HTTP_STATUS);
    assertThat(e.getMessage()).contains("refused the login of user dave");
  }

  @Test
  void aRedirectToAnotherHostLeavesTheLoginAndTheUsersSecretsBehind() throws Exception {
    int before = whoLog().size();

    HostileDownloads.complete(URI.create("http://bob:bob-secret@127.0.0.1:" + nginx.port()
        + "/away"), dir.resolve("f.bin"), h.options().header("Cookie", "mine=1")
        .header("X-Token", "kept").build());

    assertThat(sha256(dir.resolve("f.bin"))).isEqualTo(content.sha256());
    List<String> log = awaitWho("localhost|/open/f.bin|206", 1);
    List<String> mine = log.subList(before, log.size());
    assertThat(mine).anyMatch(l -> l.startsWith("127.0.0.1|/away|302|bob|Basic ")
        && l.contains("|mine=1|"));
    assertThat(mine.stream().filter(l -> l.startsWith("localhost|")))
        .isNotEmpty().allMatch(l -> l.contains("|-|-|-|kept"));

    int trusted = whoLog().size();
    HostileDownloads.complete(URI.create("http://bob:bob-secret@127.0.0.1:" + nginx.port()
        + "/away"), dir.resolve("t.bin"), h.options().locationTrusted(true).build());
    List<String> after = awaitWho("localhost|/open/f.bin|206|bob", 1);
    assertThat(after.subList(trusted, after.size()))
        .anyMatch(l -> l.startsWith("localhost|/open/f.bin|206|bob|Basic "));
  }

  @Test
  void headersUserAgentAndRefererReachTheServer() throws Exception {
    DownloadException without = HostileDownloads.failure(url("/token/f.bin"),
        dir.resolve("x.bin"), h.options().build());
    assertThat(without.getMessage()).contains("403");

    HostileDownloads.complete(url("/token/f.bin"), dir.resolve("t.bin"),
        h.options().header("X-Token", "s3cret").build());
    HostileDownloads.complete(url("/agent/f.bin"), dir.resolve("a.bin"),
        h.options().userAgent("FancyAgent/2.0").build());
    HostileDownloads.complete(url("/ref/f.bin"), dir.resolve("r.bin"),
        h.options().referer("https://example.org/page").build());

    for (String f : List.of("t.bin", "a.bin", "r.bin")) {
      assertThat(sha256(dir.resolve(f))).isEqualTo(content.sha256());
    }
    assertThat(awaitWho("|/token/f.bin|206|", 1)).anyMatch(l -> l.endsWith("|s3cret"));
  }

  @Test
  void aCookieSetOnARedirectIsSentOnTheFollowingRequestsAndSaved() throws Exception {
    CookieJar jar = new CookieJar();

    HostileDownloads.complete(url("/login"), dir.resolve("m.bin"),
        h.options().cookieJar(jar).build());

    assertThat(sha256(dir.resolve("m.bin"))).isEqualTo(content.sha256());
    assertThat(awaitWho("|/members/f.bin|206|", 1))
        .anyMatch(l -> l.contains("|/members/f.bin|206|") && l.contains("|session=abc123|"));
    Path saved = dir.resolve("cookies.txt");
    jar.save(saved, Instant.now().getEpochSecond());
    assertThat(Files.readString(saved)).contains("127.0.0.1\tFALSE\t/members\tFALSE\t0\t"
        + "session\tabc123");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(saved)))
        .isEqualTo("rw-------");

    DownloadResult again = HostileDownloads.complete(url("/members/f.bin"),
        dir.resolve("n.bin"), h.options().cookieJar(CookieJar.load(saved)).build());
    assertThat(again.length()).isEqualTo(content.length());
    DownloadException none = HostileDownloads.failure(url("/members/f.bin"),
        dir.resolve("x.bin"), h.options().build());
    assertThat(none.getMessage()).contains("403");
  }

  @Test
  void theFileGetsTheServersTimeAndTimestampingSkipsAnUnchangedFile() throws Exception {
    Path out = dir.resolve("f.bin");
    HostileDownloads.complete(url("/open/f.bin"), out, h.options().build());
    assertThat(Files.getLastModifiedTime(out).toInstant()).isEqualTo(MODIFIED);

    int before = whoLog().size();
    DownloadResult skipped = HostileDownloads.complete(url("/open/f.bin"), out,
        h.options().timestamping(true).build());
    assertThat(skipped.bytesFetched()).isZero();
    assertThat(h.notices).anyMatch(n -> n.contains("is up to date"));
    List<String> log = awaitWho("|/open/f.bin|304|", 1);
    assertThat(log.subList(before, log.size())).anyMatch(l -> l.contains("|/open/f.bin|304|"));

    Path own = dir.resolve("own.bin");
    HostileDownloads.complete(url("/stamp/f.bin"), own,
        h.options().remoteTime(false).build());
    assertThat(Files.getLastModifiedTime(own).toInstant())
        .isAfter(Instant.now().minus(Duration.ofHours(1)));
    // The server's file is newer than the local one now: -N downloads it again.
    Files.setLastModifiedTime(own, FileTime.from(MODIFIED));
    DownloadResult fetched = HostileDownloads.complete(url("/stamp/f.bin"), own,
        h.options().timestamping(true).build());
    assertThat(fetched.bytesFetched()).isEqualTo(content.length());
  }

  @Test
  void optionsRefuseHeadersRgetManages() {
    for (String name : List.of("Host", "Range", "Content-Length", "Proxy-Authorization")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> DownloadOptions.builder().header(name, "x"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("set by rget");
    }
  }
}
