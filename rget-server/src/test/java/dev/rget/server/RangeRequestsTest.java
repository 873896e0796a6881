package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 9110 section 14 over the wire, against data.bin (100 003 bytes). */
class RangeRequestsTest {
  @TempDir static Path dir;
  static Fixture f;
  static final int N = Fixture.DATA_LEN;

  @BeforeAll
  static void start() throws Exception {
    f = Fixture.start(dir);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @ParameterizedTest(name = "[{index}] Range: {0} -> {1} {2}")
  @CsvSource(delimiter = '|', nullValues = "NONE", value = {
      // Range header                          | status | Content-Range            | body (first-last, ALL, ERROR or MULTIPART)
      "bytes=0-0                               | 206 | bytes 0-0/100003           | 0-0",
      "bytes=0-99                              | 206 | bytes 0-99/100003          | 0-99",
      "bytes=1000-1999                         | 206 | bytes 1000-1999/100003     | 1000-1999",
      "bytes=-100                              | 206 | bytes 99903-100002/100003  | 99903-100002",
      "bytes=-200000                           | 206 | bytes 0-100002/100003      | 0-100002",
      "bytes=100000-                           | 206 | bytes 100000-100002/100003 | 100000-100002",
      "bytes=99990-200000                      | 206 | bytes 99990-100002/100003  | 99990-100002",
      "bytes=0-18446744073709551615            | 206 | bytes 0-100002/100003      | 0-100002",
      "bytes=0-99999999999999999999999999      | 206 | bytes 0-100002/100003      | 0-100002",
      "BYTES=5-9                               | 206 | bytes 5-9/100003           | 5-9",
      "'bytes= 5-9 ,'                          | 206 | bytes 5-9/100003           | 5-9",
      "bytes=100003-                           | 416 | bytes */100003             | ERROR",
      "bytes=200000-300000                     | 416 | bytes */100003             | ERROR",
      "bytes=-0                                | 416 | bytes */100003             | ERROR",
      "bytes=99999999999999999999999999-       | 416 | bytes */100003             | ERROR",
      "bytes=+5-10                             | 200 | NONE                       | ALL",
      "bytes=5-4                               | 200 | NONE                       | ALL",
      "bytes=abc                               | 200 | NONE                       | ALL",
      "bytes=0x10-20                           | 200 | NONE                       | ALL",
      "items=0-5                               | 200 | NONE                       | ALL",
      "bytes 0-5                               | 200 | NONE                       | ALL",
      "bytes=0-0,-1,50000-50099               | 206 | NONE                       | MULTIPART",
  })
  void answersRangeHeader(String range, int status, String contentRange, String body) throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", "Range: " + range);
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.header("Content-Range")).isEqualTo(contentRange);
    assertThat(r.header("Accept-Ranges")).isEqualTo("bytes");
    switch (body) {
      case "ALL" -> assertThat(r.body()).isEqualTo(f.data);
      case "ERROR" -> assertThat(r.header("Content-Type")).startsWith("text/plain");
      case "MULTIPART" -> assertThat(r.header("Content-Type")).startsWith("multipart/byteranges; boundary=");
      default -> {
        String[] ab = body.split("-");
        assertThat(r.body()).isEqualTo(f.slice(Long.parseLong(ab[0]), Long.parseLong(ab[1])));
        assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(r.body().length));
        assertThat(r.header("Content-Type")).isEqualTo("application/octet-stream");
      }
    }
  }

  @Test
  void nonAsciiDigitsInRangeAreIgnoredNotParsed() throws Exception {
    // "bytes=١-٢" (Arabic-Indic digits) sent as UTF-8 bytes.
    try (RawHttp c = new RawHttp(f.port())) {
      byte[] req = ("GET /data.bin HTTP/1.1\r\nHost: localhost\r\nRange: bytes=١-٢\r\n\r\n").getBytes(StandardCharsets.UTF_8);
      RawHttp.Response r = c.send(req).read(false);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(f.data);
    }
  }

  @Test
  void emptyFileRangeIsUnsatisfiableWithZeroLength() throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/empty.bin", "Range: bytes=0-");
    assertThat(r.status()).isEqualTo(416);
    assertThat(r.header("Content-Range")).isEqualTo("bytes */0");
    RawHttp.Response whole = RawHttp.get(f.port(), "/empty.bin");
    assertThat(whole.status()).isEqualTo(200);
    assertThat(whole.header("Content-Length")).isEqualTo("0");
  }

  @Test
  void multipleRangesGiveMultipartWithExactLengthAndPartHeaders() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      c.send(RawHttp.request("GET", "/data.bin", "Range: bytes=0-9,1000-1099,-50"));
      RawHttp.Response r = c.read(false);
      assertThat(r.status()).isEqualTo(206);
      assertThat(r.header("Content-Range")).isNull();
      List<MultipartParser.Part> parts = MultipartParser.parse(r.body(), r.header("Content-Type"));
      assertThat(parts).hasSize(3);
      long[][] expected = {{0, 9}, {1000, 1099}, {N - 50, N - 1}};
      for (int i = 0; i < 3; i++) {
        MultipartParser.Part p = parts.get(i);
        assertThat(p.headers().get("content-type")).isEqualTo("application/octet-stream");
        assertThat(p.headers().get("content-range"))
            .isEqualTo("bytes " + expected[i][0] + "-" + expected[i][1] + "/" + N);
        assertThat(p.data()).isEqualTo(f.slice(expected[i][0], expected[i][1]));
      }
      // Content-Length was exact: the next reply on the same connection parses cleanly.
      c.send(RawHttp.request("GET", "/hello.txt"));
      assertThat(c.read(false).text()).isEqualTo("hello, world\n");
    }
  }

  @Test
  void multipartBoundaryIsUnpredictable() throws Exception {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", "Range: bytes=0-0,5000-5000");
      String b = MultipartParser.boundary(r.header("Content-Type"));
      assertThat(b).matches("[0-9a-f]{32}");
      seen.add(b);
    }
    assertThat(seen).hasSize(5);
  }

  @Test
  void multipartPartsKeepRequestOrderWhenNothingMerges() throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", "Range: bytes=5000-5099,0-99");
    List<MultipartParser.Part> parts = MultipartParser.parse(r.body(), r.header("Content-Type"));
    assertThat(parts).extracting(p -> p.headers().get("content-range"))
        .containsExactly("bytes 5000-5099/100003", "bytes 0-99/100003");
  }

  @Test
  void overlappingRangesAreCoalescedIntoOneSinglePartReply() throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", "Range: bytes=0-999,500-1499");
    assertThat(r.status()).isEqualTo(206);
    assertThat(r.header("Content-Type")).isEqualTo("application/octet-stream");
    assertThat(r.header("Content-Range")).isEqualTo("bytes 0-1499/100003");
    assertThat(r.body()).isEqualTo(f.slice(0, 1499));
  }

  @Test
  void unsatisfiableRangesAmongSatisfiableOnesAreDropped() throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/data.bin", "Range: bytes=200000-,10-19");
    assertThat(r.status()).isEqualTo(206);
    assertThat(r.header("Content-Range")).isEqualTo("bytes 10-19/100003");
    assertThat(r.body()).isEqualTo(f.slice(10, 19));
  }

  @Test
  void headIgnoresRangeAndMirrorsAnUnrangedGet() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      RawHttp.Response head = c.send(RawHttp.request("HEAD", "/data.bin", "Range: bytes=0-9")).read(true);
      RawHttp.Response get = c.send(RawHttp.request("GET", "/data.bin")).read(false);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("Content-Range")).isNull();
      for (String h : List.of("Content-Length", "Content-Type", "ETag", "Last-Modified", "Accept-Ranges")) {
        assertThat(head.header(h)).as(h).isEqualTo(get.header(h));
      }
      assertThat(get.body()).isEqualTo(f.data); // HEAD sent no body bytes into the stream
    }
  }

  @Test
  void rangeOnAMissingFileIsStill404() throws Exception {
    assertThat(RawHttp.get(f.port(), "/nope.bin", "Range: bytes=0-0").status()).isEqualTo(404);
  }
}
