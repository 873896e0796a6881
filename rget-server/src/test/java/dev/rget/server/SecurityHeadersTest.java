package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every response says {@code X-Content-Type-Options: nosniff} (a browser must not decide that a
 * served text file is HTML); directory pages carry a Content-Security-Policy that allows nothing
 * but the page itself.
 */
class SecurityHeadersTest {
  @TempDir static Path dir;
  static Fixture f;

  @BeforeAll
  static void start() throws Exception {
    f = Fixture.start(dir);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "GET /hello.txt HTTP/1.1                                       | 200",
      "GET /data.bin HTTP/1.1\\r\\nRange: bytes=0-9                    | 206",
      "GET /data.bin HTTP/1.1\\r\\nRange: bytes=0-1,5-6                | 206",
      "GET /data.bin HTTP/1.1\\r\\nRange: bytes=999999-                | 416",
      "GET /hello.txt HTTP/1.1\\r\\nIf-Modified-Since: Fri, 01 Mar 2030 12:00:00 GMT | 304",
      "HEAD /hello.txt HTTP/1.1                                      | 200",
      "GET / HTTP/1.1                                                | 200",
      "GET /sub HTTP/1.1                                             | 301",
      "GET /missing HTTP/1.1                                         | 404",
      "POST /hello.txt HTTP/1.1                                      | 405",
      "GET /%zz HTTP/1.1                                             | 400",
  })
  void everyResponseSaysNosniff(String requestLine, int status) throws Exception {
    String request = requestLine.replace("\\r\\n", "\r\n") + "\r\nHost: localhost\r\n\r\n";
    RawHttp.Response r = RawHttp.exchange(f.port(), request);
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @Test
  void errorsFromTheDecoderAndTheHostCheckSayNosniffToo() throws Exception {
    for (String req : new String[] {"GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n"}) {
      assertThat(RawHttp.exchange(f.port(), req).header("X-Content-Type-Options")).as(req).isEqualTo("nosniff");
    }
  }

  @Test
  void listingsHaveARestrictiveContentSecurityPolicyAndFilesNone() throws Exception {
    RawHttp.Response listing = RawHttp.get(f.port(), "/sub/");
    assertThat(listing.header("Content-Security-Policy"))
        .isEqualTo("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    assertThat(RawHttp.get(f.port(), "/hello.txt").header("Content-Security-Policy")).isNull();
  }
}
