package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Nothing outside the root is ever served. The root is {@code DIR/root}; {@code DIR/secret.txt}
 * lies outside it, reachable only by escaping (and through two symlinks inside the root).
 */
class PathSafetyTest {
  @TempDir static Path dir;
  static Fixture f;
  static final String SECRET = "TOP SECRET";

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(dir.resolve("secret.txt"), SECRET);
    Path root = Files.createDirectories(dir.resolve("root"));
    Files.createSymbolicLink(root.resolve("escape.txt"), dir.resolve("secret.txt"));
    Files.createSymbolicLink(root.resolve("escdir"), dir);
    Files.createSymbolicLink(root.resolve("relative-escape"), Path.of("../secret.txt"));
    f = Fixture.start(root);
    Files.createSymbolicLink(root.resolve("inside.bin"), Path.of("data.bin"));
    Files.writeString(root.resolve("café.txt"), "crème");
    Files.writeString(root.resolve("%2e%2e"), "literal name");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "/../secret.txt                 | 400",
      "/%2e%2e/secret.txt             | 400",
      "/%2E%2E/secret.txt             | 400",
      "/.%2e/secret.txt               | 400",
      "/sub/../../secret.txt          | 400",
      "/..%2fsecret.txt               | 400",
      "/%2e%2e%2fsecret.txt           | 400",
      "/sub%2f..%2f..%2fsecret.txt    | 400",
      "/..\\secret.txt                | 400",
      "/%5c..%5csecret.txt            | 400",
      "/hello.txt%00.png              | 400",
      "/%252e%252e/secret.txt         | 404",
      "/escape.txt                    | 404",
      "/escdir/secret.txt             | 404",
      "/relative-escape               | 404",
      "//secret.txt                   | 404",
      // through an outside link and back in: the real path is inside the root, so it is served
      "/escdir/root/hello.txt         | 200",
      "http://localhost/../secret.txt | 400",
      "/hello.txt/                    | 404",
  })
  void neverServesAnythingOutsideTheRoot(String target, int status) throws Exception {
    RawHttp.Response r = RawHttp.exchange(f.port(),
        "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.text()).doesNotContain(SECRET);
  }

  @Test
  void doubleEncodedDotsStayALiteralName() throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/%252e%252e");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo("literal name");
  }

  @Test
  void symlinkInsideTheRootIsServed() throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/inside.bin");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(f.data);
  }

  @Test
  void utf8NamesWorkEscapedAndRaw() throws Exception {
    assertThat(RawHttp.get(f.port(), "/caf%C3%A9.txt").text()).isEqualTo("crème");
    try (RawHttp c = new RawHttp(f.port())) {
      byte[] raw = "GET /café.txt HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.UTF_8);
      assertThat(c.send(raw).read(false).text()).isEqualTo("crème");
    }
  }

  @Test
  void rawNulByteInTheRequestLineIsRejected() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      c.send("GET /hello.txt\0/../../secret.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
      RawHttp.Response r = c.read(false);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.text()).doesNotContain(SECRET);
    }
  }
}
