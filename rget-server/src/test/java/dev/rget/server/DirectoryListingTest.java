package dev.rget.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directory pages: escaping, working links, the trailing-slash redirect. */
class DirectoryListingTest {
  @TempDir static Path dir;
  static Fixture f;
  static final String NASTY = "<img src=x onerror=alert(1)>&\"' #?.txt";

  @BeforeAll
  static void start() throws Exception {
    f = Fixture.start(dir);
    Files.writeString(dir.resolve(NASTY), "nasty");
    Files.writeString(dir.resolve("sub/deeper/x:y.txt"), "colon");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void listingShowsNameSizeAndDate() throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
    assertThat(r.text())
        .contains("<a href=\"./data.bin\">data.bin</a></td><td>100003</td><td>2024-03-01 12:00:00 UTC</td>")
        .contains("<a href=\"./sub/\">sub/</a>")
        .doesNotContain("href=\"../\"");
  }

  @Test
  void hostileFileNameIsEscapedAndItsLinkWorks() throws Exception {
    String html = RawHttp.get(f.port(), "/").text();
    assertThat(html).doesNotContain("<img").contains("&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39; #?.txt");
    Matcher m = Pattern.compile("href=\"\\./([^\"]*%3Cimg[^\"]*)\"").matcher(html);
    assertThat(m.find()).isTrue();
    RawHttp.Response file = RawHttp.get(f.port(), "/" + m.group(1));
    assertThat(file.status()).isEqualTo(200);
    assertThat(file.text()).isEqualTo("nasty");
  }

  @Test
  void colonInANameIsEncodedSoTheLinkIsNotASchemeAndWorks() throws Exception {
    String html = RawHttp.get(f.port(), "/sub/deeper/").text();
    assertThat(html).contains("href=\"./x%3Ay.txt\"").contains("href=\"../\"");
    assertThat(RawHttp.get(f.port(), "/sub/deeper/x%3Ay.txt").text()).isEqualTo("colon");
  }

  @Test
  void directoryWithoutTrailingSlashRedirectsToTheSlashForm() throws Exception {
    RawHttp.Response r = RawHttp.get(f.port(), "/sub/deeper?q=1");
    assertThat(r.status()).isEqualTo(301);
    assertThat(r.header("Location")).isEqualTo("/sub/deeper/");
    RawHttp.Response offsite = RawHttp.get(f.port(), "//sub");
    assertThat(offsite.status()).isEqualTo(301);
    assertThat(offsite.header("Location")).isEqualTo("/sub/");
  }

  @Test
  void headOfAListingHasItsLengthButNoBody() throws Exception {
    try (RawHttp c = new RawHttp(f.port())) {
      RawHttp.Response head = c.send(RawHttp.request("HEAD", "/sub/")).read(true);
      RawHttp.Response get = c.send(RawHttp.request("GET", "/sub/")).read(false);
      assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(get.body().length));
      assertThat(get.text()).contains("inner.txt");
    }
  }
}
