package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rget.core.range.ByteRange;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** MIME table, listing HTML and multipart framing. */
class SmallPartsTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "index.html     | text/html; charset=utf-8",
      "A.PNG          | image/png",
      "archive.tar.gz | application/gzip",
      "noext          | application/octet-stream",
      "trailing.      | application/octet-stream",
      "x.unknownext   | application/octet-stream",
  })
  void picksContentTypeByExtension(String name, String type) {
    assertThat(MimeTypes.forName(name)).isEqualTo(type);
  }

  @Test
  void listingEscapesNamesAndEncodesLinks() {
    String html = DirectoryListing.html("/<d>/", false, List.of(
        new DirectoryListing.Entry("<script>alert(1)</script>&\"'.txt", false, 5, Instant.EPOCH),
        new DirectoryListing.Entry("a b:c", true, 0, Instant.EPOCH)), false);
    assertThat(html)
        .doesNotContain("<script>")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;.txt")
        .contains("href=\"./%3Cscript%3Ealert%281%29%3C%2Fscript%3E%26%22%27.txt\"")
        .contains("href=\"./a%20b%3Ac/\"")
        .contains("Index of /&lt;d&gt;/")
        .contains("href=\"../\"");
  }

  @Test
  void multipartLengthIsExactlyTheAssembledBody() {
    byte[] file = new byte[1000];
    List<ByteRange> ranges = List.of(new ByteRange(0, 9), new ByteRange(500, 599), new ByteRange(990, 999));
    MultipartByteranges m = MultipartByteranges.of(ranges, file.length, "text/plain");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int i = 0; i < ranges.size(); i++) {
      body.writeBytes(m.headers().get(i));
      body.write(file, (int) ranges.get(i).first(), (int) ranges.get(i).length());
    }
    body.writeBytes(m.trailer());
    assertThat((long) body.size()).isEqualTo(m.contentLength());
    String text = body.toString(StandardCharsets.ISO_8859_1);
    assertThat(text).startsWith("--" + m.boundary() + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-9/1000\r\n\r\n");
    assertThat(text).endsWith("\r\n--" + m.boundary() + "--\r\n");
    assertThat(m.contentType()).isEqualTo("multipart/byteranges; boundary=" + m.boundary());
  }

  @Test
  void boundariesAreRandom128BitHex() {
    String a = MultipartByteranges.newBoundary();
    String b = MultipartByteranges.newBoundary();
    assertThat(a).matches("[0-9a-f]{32}");
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void accessLogEscapesHostileValuesAndTruncatesLongOnes() {
    String line = AccessLog.format(new AccessLog.Entry(0, "127.0.0.1:1", "GET", "/a\"b",
        "bytes=0-1\"\u0001" + "9".repeat(1000), 206, 2, 1_500_000));
    assertThat(line).contains("/a\\\"b").contains("\\x01").contains("...\"").contains(" 206 2 1.50ms");
    assertThat(line.length()).isLessThan(400);
  }
}
