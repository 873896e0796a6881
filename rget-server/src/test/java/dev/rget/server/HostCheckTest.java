package dev.rget.server;

import dev.rget.core.http.HostCheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DNS rebinding: a web page at {@code evil.example} whose name is re-pointed at 127.0.0.1 reaches a
 * loopback server with {@code Host: evil.example}. On a loopback bind only {@code localhost},
 * loopback addresses and names given with {@code allowHost} are answered; others get 421. Any port.
 */
class HostCheckTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "LOCALHOST:8080", "localhost.", "127.0.0.1", "127.0.0.1:1", "127.1.2.3:80",
      "[::1]", "[::1]:8080", "[0:0:0:0:0:0:0:1]", "myhost.test", "MyHost.Test:9"})
  void loopbackNamesAndAllowedHostsAreAnswered(String host) throws Exception {
    try (Fixture f = Fixture.start(dir, b -> b.allowHost("myhost.test"))) {
      RawHttp.Response r = RawHttp.exchange(f.port(), "GET /hello.txt HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
      assertThat(r.status()).as(host).isEqualTo(200);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"evil.example", "evil.example:8080", "127.0.0.1.nip.io", "localhost.evil.example",
      "192.168.1.10", "10.0.0.1:80", "0.0.0.0", "[::2]", "[::ffff:7f00:1]x", "2130706433", "127.1"})
  void otherHostsGet421OnALoopbackBind(String host) throws Exception {
    try (Fixture f = Fixture.start(dir, b -> b.allowHost("myhost.test"))) {
      RawHttp.Response r = RawHttp.exchange(f.port(), "GET /hello.txt HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
      assertThat(r.status()).as(host).isIn(421, 400);
      assertThat(r.text()).doesNotContain("hello, world");
    }
  }

  @Test
  void theAuthorityOfAnAbsoluteFormTargetIsCheckedToo() throws Exception {
    try (Fixture f = Fixture.start(dir)) {
      assertThat(RawHttp.exchange(f.port(), "GET http://evil.example/hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
          .status()).isEqualTo(421);
      assertThat(RawHttp.exchange(f.port(), "GET http://localhost:1/hello.txt HTTP/1.1\r\nHost: evil.example\r\n\r\n")
          .status()).isEqualTo(200);
    }
  }

  @Test
  void http10WithoutHostIsAnswered() throws Exception {
    try (Fixture f = Fixture.start(dir)) {
      assertThat(RawHttp.exchange(f.port(), "GET /hello.txt HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
    }
  }

  @Test
  void onANonLoopbackBindAnyWellFormedHostIsAnswered() throws Exception {
    try (Fixture f = Fixture.start(dir, b -> b.bind("0.0.0.0"))) {
      assertThat(RawHttp.exchange(f.port(), "GET /hello.txt HTTP/1.1\r\nHost: evil.example\r\n\r\n").status())
          .isEqualTo(200);
      assertThat(RawHttp.exchange(f.port(), "GET /hello.txt HTTP/1.1\r\nHost: a b\r\n\r\n").status())
          .isEqualTo(400);
    }
  }

  @ParameterizedTest(name = "[{index}] ''{0}'' -> {1}")
  @CsvSource(delimiter = '|', value = {
      "localhost:8080      | localhost",
      "Example.COM         | example.com",
      "example.com.        | example.com",
      "[::1]:80            | [::1]",
      "127.0.0.1           | 127.0.0.1",
      "a b                 | ",
      "user@host           | ",
      "host:port           | ",
      "host:123456         | ",
      "[::1                | ",
      "[::1]x              | ",
      "[zz::1]             | ",
      "''                  | ",
  })
  void hostOfParsesAuthorities(String authority, String host) {
    assertThat(HostCheck.hostOf(authority)).isEqualTo(host);
  }

  @Test
  void verdicts() {
    HostCheck loopback = new HostCheck(true, Set.of("box.lan"));
    assertThat(loopback.check("box.lan:8080")).isEqualTo(HostCheck.Verdict.OK);
    assertThat(loopback.check("evil.example")).isEqualTo(HostCheck.Verdict.MISDIRECTED);
    assertThat(loopback.check("a/b")).isEqualTo(HostCheck.Verdict.BAD_REQUEST);
    assertThat(loopback.check(null)).isEqualTo(HostCheck.Verdict.OK);
    assertThat(new HostCheck(false, Set.of()).check("evil.example")).isEqualTo(HostCheck.Verdict.OK);
  }
}
