package dev.rget.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one URL check shared by the download engine, {@code Rget.parseUrl} and uploads. */
class HttpUrlTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = ';', nullValues = "-", value = {
      "http://example.org/f; -",
      "HTTPS://example.org:8443/f?x=1; -",
      "ftp://example.org/f; unsupported URL scheme 'ftp'",
      "file:///etc/passwd; unsupported URL scheme 'file'",
      "example.org/f; no scheme",
      "http:///f; no host",
      "http:f; no host",
  })
  void table(String url, String problem) {
    String p = HttpUrl.problem(URI.create(url));
    if (problem == null) {
      assertThat(p).isNull();
    } else {
      assertThat(p).startsWith(problem);
    }
  }
}
