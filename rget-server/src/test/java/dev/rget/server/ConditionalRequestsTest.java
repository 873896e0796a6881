package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.http.HttpDate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9110 section 13 over the wire. {@code ETAG} in a row stands for data.bin's current tag;
 * Last-Modified is Fri, 01 Mar 2024 12:00:00 GMT.
 */
class ConditionalRequestsTest {
  @TempDir static Path dir;
  static Fixture f;
  static String etag;

  @BeforeAll
  static void start() throws Exception {
    f = Fixture.start(dir);
    etag = RawHttp.get(f.port(), "/data.bin").header("ETag");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @ParameterizedTest(name = "[{index}] {0} {1} / {2} -> {3}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      // method | header                                           | Range      | status
      "GET  | If-None-Match: ETAG                                     | NULL       | 304",
      "GET  | If-None-Match: W/ETAG                                   | NULL       | 304",
      "GET  | If-None-Match: \"nope\", ETAG                           | NULL       | 304",
      "GET  | If-None-Match: \"nope\"                                 | NULL       | 200",
      "GET  | If-None-Match: *                                        | NULL       | 304",
      "HEAD | If-None-Match: ETAG                                     | NULL       | 304",
      "GET  | If-None-Match: ETAG                                     | bytes=0-9  | 304",
      "GET  | If-Match: ETAG                                          | NULL       | 200",
      "GET  | If-Match: *                                             | NULL       | 200",
      "GET  | If-Match: \"nope\"                                      | NULL       | 412",
      "GET  | If-Match: W/ETAG                                        | NULL       | 412",
      "GET  | If-Match: \"nope\"                                      | bytes=0-9  | 412",
      "GET  | If-Modified-Since: Fri, 01 Mar 2024 12:00:00 GMT        | NULL       | 304",
      "GET  | If-Modified-Since: Fri, 01 Mar 2024 11:59:59 GMT        | NULL       | 200",
      "GET  | If-Modified-Since: not a date                           | NULL       | 200",
      "GET  | If-Unmodified-Since: Fri, 01 Mar 2024 11:59:59 GMT      | NULL       | 412",
      "GET  | If-Unmodified-Since: Fri, 01 Mar 2024 12:00:00 GMT      | NULL       | 200",
      "GET  | If-Range: ETAG                                          | bytes=0-9  | 206",
      "GET  | If-Range: \"nope\"                                      | bytes=0-9  | 200",
      "GET  | If-Range: W/ETAG                                        | bytes=0-9  | 200",
      "GET  | If-Range: Fri, 01 Mar 2024 12:00:00 GMT                 | bytes=0-9  | 206",
      "GET  | If-Range: Fri, 01 Mar 2024 12:00:01 GMT                 | bytes=0-9  | 200",
      "GET  | If-Range: \"nope\"                                      | bytes=999999- | 200",
  })
  void evaluatesConditions(String method, String header, String range, int status) throws Exception {
    String h = header.replace("ETAG", etag);
    RawHttp.Response r = range == null
        ? RawHttp.exchange(f.port(), RawHttp.request(method, "/data.bin", h))
        : RawHttp.exchange(f.port(), RawHttp.request(method, "/data.bin", h, "Range: " + range));
    assertThat(r.status()).isEqualTo(status);
    switch (status) {
      case 304 -> {
        assertThat(r.header("ETag")).isEqualTo(etag);
        assertThat(r.header("Last-Modified")).isEqualTo("Fri, 01 Mar 2024 12:00:00 GMT");
        assertThat(r.body()).isEmpty();
      }
      case 200 -> {
        if (method.equals("GET")) {
          assertThat(r.body()).isEqualTo(f.data);
        }
      }
      case 206 -> assertThat(r.body()).isEqualTo(f.slice(0, 9));
      default -> assertThat(r.header("Content-Range")).isNull();
    }
  }

  @Test
  void notModifiedKeepsTheConnectionUsable() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      assertThat(c.send(RawHttp.request("GET", "/data.bin", "If-None-Match: " + etag)).read(false).status())
          .isEqualTo(304);
      assertThat(c.send(RawHttp.request("GET", "/hello.txt")).read(false).text()).isEqualTo("hello, world\n");
    }
  }

  @Test
  void etagIsStrongAndChangesWhenTheFileChanges(@TempDir Path other) throws Exception {
    try (Fixture g = Fixture.start(other)) {
      Path p = other.resolve("v.bin");
      Fixture.write(p, new byte[] {1, 2, 3});
      String before = RawHttp.get(g.port(), "/v.bin").header("ETag");
      assertThat(before).matches("\"[0-9a-f]{16}-3\"");
      // same size and content, other mtime: a different version for a resuming client
      Files.setLastModifiedTime(p, FileTime.from(Fixture.MTIME.plusNanos(1_000)));
      String touched = RawHttp.get(g.port(), "/v.bin").header("ETag");
      // replaced by another file (new inode), same size and mtime
      Path tmp = other.resolve("v.tmp");
      Fixture.write(tmp, new byte[] {1, 2, 3});
      Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      String replaced = RawHttp.get(g.port(), "/v.bin").header("ETag");
      assertThat(touched).isNotEqualTo(before);
      assertThat(replaced).isNotEqualTo(before).isNotEqualTo(touched);
      // and a stale tag in If-Range now yields the whole new file
      RawHttp.Response r = RawHttp.get(g.port(), "/v.bin", "Range: bytes=1-", "If-Range: " + before);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).containsExactly(1, 2, 3);
    }
  }

  @Test
  void aFileDatedInTheFutureIsSentAsModifiedNowAndItsDateIsNoIfRangeMatch(@TempDir Path other)
      throws Exception {
    try (Fixture g = Fixture.start(other)) {
      Path p = other.resolve("future.bin");
      Fixture.write(p, new byte[] {1, 2, 3});
      Files.setLastModifiedTime(p, FileTime.from(Instant.now().plusSeconds(3600)));
      RawHttp.Response plain = RawHttp.get(g.port(), "/future.bin");
      Instant sent = HttpDate.parse(plain.header("Last-Modified")).orElseThrow();
      Instant date = HttpDate.parse(plain.header("Date")).orElseThrow();
      assertThat(sent).as("Last-Modified not after Date").isBeforeOrEqualTo(date);
      // The date the server sent is not a strong validator of this file: the range is ignored.
      RawHttp.Response r = RawHttp.get(g.port(), "/future.bin", "Range: bytes=1-",
          "If-Range: " + plain.header("Last-Modified"));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).containsExactly(1, 2, 3);
      // Its strong tag still works.
      RawHttp.Response tagged = RawHttp.get(g.port(), "/future.bin", "Range: bytes=1-",
          "If-Range: " + plain.header("ETag"));
      assertThat(tagged.status()).isEqualTo(206);
      assertThat(tagged.body()).containsExactly(2, 3);
    }
  }
}
