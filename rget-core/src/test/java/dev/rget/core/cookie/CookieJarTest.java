package dev.rget.core.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 6265 matching and the Netscape cookie file, as tables. */
class CookieJarTest {
  private static final long NOW = 1_700_000_000L;
  @TempDir Path dir;

  private static String header(CookieJar jar, String url) {
    return jar.header(URI.create(url), NOW).orElse("");
  }

  @Test
  void domainPathSecureAndExpiryDecideWhereACookieGoes() {
    CookieJar jar = new CookieJar();
    URI from = URI.create("https://www.example.org/docs/page");
    jar.store(from, List.of("host=1", "dom=2; Domain=example.org; Path=/",
        "sec=3; Secure; Path=/", "gone=4; Max-Age=0", "other=5; Domain=evil.test",
        "tld=6; Domain=org", "dir=7"), NOW);
    assertThat(header(jar, "https://www.example.org/docs/x"))
        .contains("host=1", "dom=2", "sec=3", "dir=7").doesNotContain("gone", "other", "tld");
    assertThat(header(jar, "http://www.example.org/docs/x")).doesNotContain("sec=3");
    assertThat(header(jar, "https://sub.example.org/")).contains("dom=2")
        .doesNotContain("host=1");
    assertThat(header(jar, "https://www.example.org/docsx")).doesNotContain("host=1");
    assertThat(header(jar, "https://evil.test/")).isEmpty();
    assertThat(header(jar, "https://notexample.org/")).isEmpty();
  }

  @Test
  void theNetscapeFileRoundTripsAsCurlWritesIt() throws Exception {
    Path f = dir.resolve("c.txt");
    Files.writeString(f, "# Netscape HTTP Cookie File\n"
        + ".example.org\tTRUE\t/\tFALSE\t0\tsid\tabc\n"
        + "#HttpOnly_host.test\tFALSE\t/p\tTRUE\t" + (NOW + 60) + "\ttok\txyz\n"
        + "old.test\tFALSE\t/\tFALSE\t" + (NOW - 1) + "\texpired\t1\n"
        + "broken line\n");
    CookieJar jar = CookieJar.load(f);
    assertThat(header(jar, "http://a.example.org/")).isEqualTo("sid=abc");
    assertThat(header(jar, "https://host.test/p/q")).isEqualTo("tok=xyz");
    assertThat(header(jar, "http://host.test/p/q")).isEmpty();
    assertThat(header(jar, "http://old.test/")).isEmpty();

    Path out = dir.resolve("out.txt");
    jar.save(out, NOW);
    String text = Files.readString(out);
    assertThat(text).contains(".example.org\tTRUE\t/\tFALSE\t0\tsid\tabc")
        .contains("#HttpOnly_host.test\tFALSE\t/p\tTRUE\t" + (NOW + 60) + "\ttok\txyz")
        .doesNotContain("expired");
  }
}
